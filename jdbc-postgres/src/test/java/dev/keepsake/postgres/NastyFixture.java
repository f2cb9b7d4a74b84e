package dev.keepsake.postgres;

import dev.keepsake.testkit.TestDatabase;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/** Test data sets. */
final class NastyFixture {

    static final String NASTY_SCHEMA = "\"Nasty \"\"Schema\"\"\n ü\"";
    static final String NASTY_TABLE = NASTY_SCHEMA + ".\"Täble \"\"1\"\"\n with newline\"";

    private NastyFixture() {
    }

    /** Loads nasty.sql, plus the numeric infinities where the server has them (14+). */
    static void loadNasty(TestDatabase db) throws SQLException, IOException {
        try (InputStream in = NastyFixture.class.getResourceAsStream("/nasty.sql")) {
            db.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        if (db.server().majorVersion() >= 14) {
            db.execute("INSERT INTO " + NASTY_TABLE + " (t, n) VALUES ('numeric infinities', 'Infinity'),"
                    + " ('numeric infinities', '-Infinity')");
        }
    }
}
