package dev.keepsake.postgres;

import dev.keepsake.core.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresPartBuilderTest {

    @Test
    void buildListsEveryProblemInOneMessage() {
        assertThatThrownBy(() -> PostgresPart.builder().name("bad name!").parallelism(0).chunkSize(10)
                .restoreMaintenanceWorkMemMiB(0).lockTimeout(Duration.ofSeconds(-1))
                .excludeTables(List.of("nodot")).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("a dataSource or a jdbcUrl is required")
                .hasMessageContaining("name 'bad name!' is invalid")
                .hasMessageContaining("parallelism must be between 1 and 32 but was 0")
                .hasMessageContaining("chunkSize must be between 65536")
                .hasMessageContaining("restoreMaintenanceWorkMemMiB must be between 1 and 2047 but was 0")
                .hasMessageContaining("lockTimeout must be zero (wait forever) or positive")
                .hasMessageContaining("excludeTables entry 'nodot' must be schema.table");
    }

    @Test
    void aJdbcUrlThatIsNotPostgresIsRefusedWithoutShowingIt() {
        Properties secret = new Properties();
        secret.setProperty("password", "s3cret");
        assertThatThrownBy(() -> PostgresPart.builder().jdbcUrl("jdbc:mysql://h/db?password=s3cret", secret).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("must start with jdbc:postgresql:")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void defaultsGiveThePartItsNameAndType() {
        PostgresPart part = PostgresPart.builder().jdbcUrl("jdbc:postgresql://localhost/db", new Properties()).build();
        assertThat(part.name()).isEqualTo("postgres");
        assertThat(part.type()).isEqualTo("postgresql");
    }

    @Test
    void theAdvisoryLockNeedsAConnection() {
        assertThatThrownBy(() -> PostgresAdvisoryLock.builder().build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("a dataSource or a jdbcUrl is required");
    }
}
