package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.CopySocketFactory;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSourceTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void aUrlSourceReadsThroughTheCopySocketFactoryAndKeepsTheGivenProperties() {
        Properties given = props("user", "app", "password", "secret");
        Properties used = ConnectionSource.withCopySocketFactory("jdbc:postgresql://db.example:5433/app", given);
        assertThat(used.getProperty("socketFactory")).isEqualTo(CopySocketFactory.class.getName());
        assertThat(used.getProperty("user")).isEqualTo("app");
        assertThat(used.getProperty("password")).isEqualTo("secret");
        assertThat(given.getProperty("socketFactory")).as("the caller's properties are not changed").isNull();
    }

    @Test
    void aSocketFactoryNamedInThePropertiesOrTheUrlIsKept() {
        Properties inProps = ConnectionSource.withCopySocketFactory("jdbc:postgresql://localhost/app",
                props("socketFactory", "javax.net.DefaultSocketFactory"));
        assertThat(inProps.getProperty("socketFactory")).isEqualTo("javax.net.DefaultSocketFactory");

        Properties inUrl = ConnectionSource.withCopySocketFactory(
                "jdbc:postgresql://localhost/app?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory", props());
        assertThat(inUrl.getProperty("socketFactory")).isNull();
    }
}
