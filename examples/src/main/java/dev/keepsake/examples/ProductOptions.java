package dev.keepsake.examples;

import dev.keepsake.core.Version;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * {@code --product-version}: run as another release of the demo application, to try the compatibility policy (take a
 * backup as 1.0.0, restore it as the current release: refused, naming 1.2.9).
 */
final class ProductOptions {

    static final String ENV = "KEEPSAKE_PRODUCT_VERSION";

    @Option(names = "--product-version", paramLabel = "VERSION",
            description = "Act as this release of the demo application (default: $" + ENV + ", else the current "
                    + "release). Backups record it; restores check it against the restore barrier.")
    String productVersion;

    Version version(Map<String, String> env) {
        String text = productVersion != null ? productVersion : env.get(ENV);
        if (text == null || text.isBlank()) {
            return DemoProduct.CURRENT;
        }
        try {
            return Version.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(ExitStatus.USAGE, "--product-version: " + e.getMessage());
        }
    }
}
