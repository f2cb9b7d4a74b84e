package dev.keepsake.volume;

import dev.keepsake.volume.internal.backup.Glob;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GlobTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "**/*.tmp | a.tmp | true",
            "**/*.tmp | x/y/a.tmp | true",
            "**/*.tmp | x/y/a.tmpx | false",
            "*.tmp | x/a.tmp | false",
            "*.tmp | a.tmp | true",
            "cache/** | cache | false",
            "cache/** | cache/a | true",
            "cache/** | cache/a/b | true",
            "cache/** | cachex/a | false",
            "cache | cache | true",
            "a?c | abc | true",
            "a?c | a/c | false",
            "[ab]x | bx | true",
            "[!ab]x | cx | true",
            "[!ab]x | /x | false",
            "*.{jpg,png} | p.png | true",
            "*.{jpg,png} | p.gif | false",
            "a\\*b | a*b | true",
            "a\\*b | axb | false",
            "logs/**/*.gz | logs/a.gz | true",
            "logs/**/*.gz | logs/2024/01/a.gz | true",
            "x.y | xzy | false",
    })
    void matches(String glob, String path, boolean expected) {
        assertThat(Glob.compile(glob).matches(path)).isEqualTo(expected);
    }
}
