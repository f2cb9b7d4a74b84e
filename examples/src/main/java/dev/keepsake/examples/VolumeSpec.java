package dev.keepsake.examples;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * One {@code --volume NAME=PATH}: a data directory backed up as the archive part named after {@code NAME}.
 *
 * @param name 1–64 of {@code [A-Za-z0-9._-]}
 * @param path the directory
 */
record VolumeSpec(String name, Path path) {

    /** picocli converter for {@code NAME=PATH}. */
    static final class Converter implements ITypeConverter<VolumeSpec> {
        @Override
        public VolumeSpec convert(String value) {
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new TypeConversionException("'" + value + "' is not NAME=PATH (e.g. uploads=/var/lib/app/uploads)");
            }
            String name = value.substring(0, eq);
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new TypeConversionException("volume name '" + name
                        + "' is invalid: use 1-64 letters, digits, '.', '_' or '-'");
            }
            try {
                return new VolumeSpec(name, Path.of(value.substring(eq + 1)).toAbsolutePath().normalize());
            } catch (InvalidPathException e) {
                throw new TypeConversionException("volume '" + name + "': '" + value.substring(eq + 1)
                        + "' is not a valid path");
            }
        }
    }
}
