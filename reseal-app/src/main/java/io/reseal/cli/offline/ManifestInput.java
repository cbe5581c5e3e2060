package io.reseal.cli.offline;

import io.reseal.cli.UserFacingException;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.manifest.OutputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * What {@code seal} and {@code unseal} share: {@code -f FILE} or stdin, and the picocli converters for
 * {@code -o yaml|json} and {@code --scope}, whose errors list the accepted values. Stateless.
 */
final class ManifestInput {

    private ManifestInput() {
    }

    /** {@code file}, or stdin when {@code null} or {@code -}; a missing file is one line for the user. */
    static InputStream open(Path file) {
        if (file == null || file.toString().equals("-")) {
            return System.in;
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new UserFacingException(file + ": no such file");
        } catch (IOException e) {
            throw new UserFacingException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** {@code -o yaml|json}. */
    static final class Format implements ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return OutputFormat.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --scope strict|namespace-wide|cluster-wide}. */
    static final class Scope implements ITypeConverter<SecretScope> {
        @Override
        public SecretScope convert(String value) {
            try {
                return SecretScope.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
