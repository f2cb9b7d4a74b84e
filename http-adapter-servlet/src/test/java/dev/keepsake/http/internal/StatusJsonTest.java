package dev.keepsake.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.MaintenanceStatus;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.Progress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class StatusJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void finishedOperationsMapToTheSeedShapeWithTheMisspelledKey() throws IOException {
        OperationStatus backup = new OperationStatus(true, "1.0.73_2022-02-16T15:37:19.242Z", "OK",
                Instant.parse("2022-02-16T15:37:19.242Z"), Optional.of(Instant.parse("2022-02-16T15:37:21Z")),
                Optional.empty(), Optional.empty());
        OperationStatus restore = new OperationStatus(false, "1.0.73_2022-02-17T10:00:00.001Z",
                "This backup needs version 1.0.70 or older.", Instant.parse("2022-02-17T10:00:00.001Z"),
                Optional.of(Instant.parse("2022-02-17T10:00:01.5Z")), Optional.of(ErrorCode.INCOMPATIBLE_VERSION),
                Optional.of("1.0.70"));
        byte[] json = StatusJson.toJson(new MaintenanceStatus(false, Optional.of(backup), Optional.of(restore),
                Optional.empty()));
        assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"running\":false,"
                + "\"backup\":{\"succeded\":true,\"id\":\"1.0.73_2022-02-16T15:37:19.242Z\",\"statusMessage\":\"OK\","
                + "\"startDate\":\"2022-02-16T15:37:19.242Z\",\"endDate\":\"2022-02-16T15:37:21.000Z\"},"
                + "\"restore\":{\"succeded\":false,\"id\":\"1.0.73_2022-02-17T10:00:00.001Z\","
                + "\"statusMessage\":\"This backup needs version 1.0.70 or older.\","
                + "\"startDate\":\"2022-02-17T10:00:00.001Z\",\"endDate\":\"2022-02-17T10:00:01.500Z\","
                + "\"errorCode\":\"INCOMPATIBLE_VERSION\",\"lastVersionThatCanRestore\":\"1.0.70\"}}");
    }

    @Test
    void beforeAnyOperationBothObjectsArePresentWithNulls() throws IOException {
        JsonNode n = JSON.readTree(StatusJson.toJson(new MaintenanceStatus(false, Optional.empty(), Optional.empty(),
                Optional.empty())));
        assertThat(n.get("backup").get("succeded").asBoolean()).isFalse();
        assertThat(n.get("backup").get("id").isNull()).isTrue();
        assertThat(n.get("backup").get("statusMessage").asText()).isEqualTo("No backup yet");
        assertThat(n.get("backup").get("startDate").isNull()).isTrue();
        assertThat(n.get("backup").get("endDate").isNull()).isTrue();
        assertThat(n.get("restore").get("statusMessage").asText()).isEqualTo("No restore yet");
        assertThat(n.has("progress")).isFalse();
    }

    @Test
    void progressIsShownWhileRunning() throws IOException {
        OperationStatus running = new OperationStatus(false, "1.0_2022-02-16T15:37:19.242Z", "Running",
                Instant.parse("2022-02-16T15:37:19.242Z"), Optional.empty(), Optional.empty(), Optional.empty());
        JsonNode n = JSON.readTree(StatusJson.toJson(new MaintenanceStatus(true, Optional.of(running), Optional.empty(),
                Optional.of(new Progress("backup", "copying public.film", "postgres", 1234, OptionalLong.empty())))));
        assertThat(n.get("running").asBoolean()).isTrue();
        assertThat(n.get("backup").get("endDate").isNull()).isTrue();
        assertThat(n.get("progress").get("phase").asText()).isEqualTo("copying public.film");
        assertThat(n.get("progress").get("bytesDone").asLong()).isEqualTo(1234);
        assertThat(n.get("progress").get("bytesExpected").isNull()).isTrue();
    }
}
