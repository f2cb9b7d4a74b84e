package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiDocumentTest {

    static JsonNode document() throws IOException {
        try (InputStream in = MaintenanceServlet.class.getResourceAsStream(MaintenanceServlet.OPENAPI_RESOURCE)) {
            assertThat(in).as("shipped in the jar").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    static void assertDescribesTheFourEndpoints(JsonNode doc) {
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        JsonNode paths = doc.get("paths");
        assertThat(paths.get("/api/maintenance/db").has("get")).isTrue();
        assertThat(paths.get("/api/maintenance/db/backup").has("post")).isTrue();
        assertThat(paths.get("/api/maintenance/db/backup").has("get")).isTrue();
        assertThat(paths.get("/api/maintenance/db/restore").has("post")).isTrue();
        assertThat(paths.get("/api/maintenance/db/restore").get("post").get("requestBody").get("content")
                .get("multipart/form-data").get("schema").get("required").get(0).asText()).isEqualTo("file");
        assertThat(paths.get("/api/maintenance/db/backup").get("get").get("responses").fieldNames())
                .toIterable().contains("200", "206", "404", "416", "401");
        assertThat(doc.get("components").get("schemas").get("OperationStatus").get("properties").has("succeded"))
                .isTrue();
    }

    @Test
    void shippedDocumentParsesAndDescribesTheFourEndpoints() throws IOException {
        JsonNode doc = document();
        assertDescribesTheFourEndpoints(doc);
        // every $ref resolves
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(name -> {
                if (name.equals("$ref")) {
                    out.add(n.get(name).asText());
                } else {
                    collectRefs(n.get(name), out);
                }
            });
        } else if (n.isArray()) {
            n.forEach(c -> collectRefs(c, out));
        }
    }
}
