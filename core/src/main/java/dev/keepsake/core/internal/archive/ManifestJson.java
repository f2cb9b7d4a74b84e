package dev.keepsake.core.internal.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes and strictly parses {@code header.json} and {@code manifest.json}. The parser is bounded (nesting depth,
 * number length, string length, document size are capped by the caller), refuses unknown fields, duplicate fields,
 * wrong types and out-of-range numbers, each with a message naming the field. Thread-safe. Internal.
 */
public final class ManifestJson {

    static final int MAX_DEPTH = 16;
    static final int MAX_NUMBER_LENGTH = 19;
    static final int MAX_STRING_LENGTH = 64 * 1024;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    // the documents' keys (docs/archive-format.md lists them)
    static final String FORMAT_VERSION = "formatVersion";
    static final String PRODUCT = "product";
    static final String NAME = "name";
    static final String VERSION = "version";
    static final String BACKUP_ID = "backupId";
    static final String CREATED_AT = "createdAt";
    static final String PARTS = "parts";
    static final String TYPE = "type";
    static final String SCHEMA_VERSION = "schemaVersion";
    static final String ATTRIBUTES = "attributes";
    static final String ENTRY_COUNT = "entryCount";
    static final String TOTAL_BYTES = "totalBytes";
    static final String ENTRIES = "entries";
    static final String PATH = "path";
    static final String PART = "part";
    static final String STREAM = "stream";
    static final String SIZE = "size";
    static final String SHA_256 = "sha256";
    static final String MODE = "mode";
    static final String MTIME = "mtime";
    static final String LINK_TARGET = "linkTarget";
    static final String CHUNK_INDEX = "chunkIndex";
    static final String TOTALS = "totals";
    static final String DATA = "data";
    static final String COMPRESSED_BYTES = "compressedBytes";

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNameLength(256)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private ManifestJson() {
    }

    /** The bytes of header.json for {@code m} (entries, attributes and totals left out). */
    public static byte[] writeHeader(Manifest m) {
        return write(m, true);
    }

    /** The bytes of manifest.json for {@code m}. */
    public static byte[] writeManifest(Manifest m) {
        return write(m, false);
    }

    private static byte[] write(Manifest m, boolean header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(header ? 1024 : 256 + m.entries().size() * 200);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField(FORMAT_VERSION, m.formatVersion());
            g.writeObjectFieldStart(PRODUCT);
            g.writeStringField(NAME, m.productName());
            g.writeStringField(VERSION, m.productVersion());
            g.writeEndObject();
            g.writeStringField(BACKUP_ID, m.backupId());
            g.writeStringField(CREATED_AT, m.createdAt().toString());
            g.writeArrayFieldStart(PARTS);
            for (Manifest.Part p : m.parts()) {
                g.writeStartObject();
                g.writeStringField(NAME, p.name());
                g.writeStringField(TYPE, p.type());
                if (p.schemaVersion() != null) {
                    g.writeStringField(SCHEMA_VERSION, p.schemaVersion());
                }
                if (!header) {
                    g.writeObjectFieldStart(ATTRIBUTES);
                    for (Map.Entry<String, String> a : new TreeMap<>(p.attributes()).entrySet()) {
                        g.writeStringField(a.getKey(), a.getValue());
                    }
                    g.writeEndObject();
                    g.writeNumberField(ENTRY_COUNT, p.entryCount());
                    g.writeNumberField(TOTAL_BYTES, p.totalBytes());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!header) {
                g.writeArrayFieldStart(ENTRIES);
                for (Manifest.Entry e : m.entries()) {
                    g.writeStartObject();
                    g.writeStringField(PATH, e.path());
                    g.writeStringField(PART, e.part());
                    g.writeStringField(e.type() == ArchiveEntry.Type.CHUNK ? STREAM : NAME, e.name());
                    g.writeStringField(TYPE, e.type().name());
                    g.writeNumberField(SIZE, e.size());
                    if (e.sha256() != null) {
                        g.writeStringField(SHA_256, e.sha256());
                    }
                    g.writeNumberField(MODE, e.mode());
                    g.writeStringField(MTIME, e.lastModified().toString());
                    if (e.linkTarget() != null) {
                        g.writeStringField(LINK_TARGET, e.linkTarget());
                    }
                    if (e.chunkIndex() >= 0) {
                        g.writeNumberField(CHUNK_INDEX, e.chunkIndex());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart(TOTALS);
                g.writeNumberField(ENTRY_COUNT, m.entryCount());
                g.writeNumberField(TOTAL_BYTES, m.totalBytes());
                g.writeEndObject();
                if (m.data() != null) {
                    g.writeObjectFieldStart(DATA);
                    g.writeNumberField(COMPRESSED_BYTES, m.data().compressedBytes());
                    g.writeStringField(SHA_256, m.data().sha256());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The format version a document gives in its first field (where Keepsake writes it), or -1 when it does not start
     * with one; reads nothing else, so that an older or newer document is told apart before it is parsed.
     */
    public static long leadingFormatVersion(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
                    && FORMAT_VERSION.equals(p.currentName()) && p.nextToken() == JsonToken.VALUE_NUMBER_INT
                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return Math.max(p.getLongValue(), 0);
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Parses header.json. @throws ArchiveVerificationException naming the problem */
    public static Manifest parseHeader(byte[] json) {
        return parse(json, true);
    }

    /** Parses manifest.json. @throws ArchiveVerificationException naming the problem */
    public static Manifest parseManifest(byte[] json) {
        return parse(json, false);
    }

    private static Manifest parse(byte[] json, boolean header) {
        String what = header ? "header" : "manifest";
        try (JsonParser p = FACTORY.createParser(json)) {
            Reader r = new Reader(p, what);
            Manifest m = r.readDocument(header);
            if (p.nextToken() != null) {
                throw r.invalid("", "has data after the end of the JSON document");
            }
            return m;
        } catch (JsonProcessingException e) {
            throw new ArchiveVerificationException("The archive's " + what + " is not valid JSON ("
                    + e.getOriginalMessage() + "); the archive is damaged or was not made by Keepsake.", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A strict reader over one document. */
    private static final class Reader {
        private final JsonParser p;
        private final String what;

        Reader(JsonParser p, String what) {
            this.p = p;
            this.what = what;
        }

        ArchiveVerificationException invalid(String field, String problem) {
            return new ArchiveVerificationException("The archive's " + what + " is invalid: "
                    + (field.isEmpty() ? "the document" : "field '" + field + "'") + " " + problem
                    + "; the archive is damaged or was not made by Keepsake.");
        }

        private void expect(JsonToken token, String field, String expected) throws IOException {
            JsonToken t = p.nextToken();
            if (t != token) {
                throw invalid(field, "must be " + expected + " but is " + describe(t));
            }
        }

        private static String describe(JsonToken t) {
            if (t == null) {
                return "missing";
            }
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT -> "an integer";
                case VALUE_NUMBER_FLOAT -> "a decimal number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> t.toString();
            };
        }

        String string(String field) throws IOException {
            expect(JsonToken.VALUE_STRING, field, "a string");
            return p.getText();
        }

        long number(String field, long min, long max) throws IOException {
            expect(JsonToken.VALUE_NUMBER_INT, field, "an integer");
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw invalid(field, "is out of range (" + p.getText() + ")");
            }
            long v = p.getLongValue();
            if (v < min || v > max) {
                throw invalid(field, "is out of range: " + v + " is not between " + min + " and " + max);
            }
            return v;
        }

        String sha256(String field) throws IOException {
            String sha = string(field);
            if (!SHA256.matcher(sha).matches()) {
                throw invalid(field, "is not 64 lower-case hex digits");
            }
            return sha;
        }

        Instant instant(String field) throws IOException {
            String s = string(field);
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw invalid(field, "is not an ISO-8601 instant: '" + abbreviate(s) + "'");
            }
        }

        /** Moves to the next field name of the current object, or returns null at its end. */
        String nextField(String object) throws IOException {
            JsonToken t = p.nextToken();
            if (t == JsonToken.END_OBJECT) {
                return null;
            }
            if (t != JsonToken.FIELD_NAME) {
                throw invalid(object, "is malformed");
            }
            return p.currentName();
        }

        Manifest readDocument(boolean header) throws IOException {
            expect(JsonToken.START_OBJECT, "", "an object");
            Integer formatVersion = null;
            String productName = null;
            String productVersion = null;
            String backupId = null;
            Instant createdAt = null;
            List<Manifest.Part> parts = null;
            List<Manifest.Entry> entries = header ? List.of() : null;
            long[] totals = header ? new long[] {0, 0} : null;
            Manifest.DataDigest data = null;
            for (String f = nextField(""); f != null; f = nextField("")) {
                switch (f) {
                    case FORMAT_VERSION -> {
                        // first in every document Keepsake writes: an older or newer format is refused before any
                        // field of its might confuse this reader
                        formatVersion = (int) number(f, 0, Integer.MAX_VALUE);
                        String problem = ArchiveLayout.formatVersionProblem(formatVersion);
                        if (problem != null) {
                            throw new ArchiveVerificationException(problem);
                        }
                    }
                    case PRODUCT -> {
                        expect(JsonToken.START_OBJECT, f, "an object");
                        for (String g = nextField(f); g != null; g = nextField(f)) {
                            switch (g) {
                                case NAME -> productName = string("product.name");
                                case VERSION -> productVersion = string("product.version");
                                default -> throw invalid("product." + g, "is not known");
                            }
                        }
                    }
                    case BACKUP_ID -> backupId = string(f);
                    case CREATED_AT -> createdAt = instant(f);
                    case PARTS -> parts = readParts(header);
                    case ENTRIES -> {
                        if (header) {
                            throw invalid(f, "is not known");
                        }
                        entries = readEntries();
                    }
                    case TOTALS -> {
                        if (header) {
                            throw invalid(f, "is not known");
                        }
                        totals = new long[] {-1, -1};
                        expect(JsonToken.START_OBJECT, f, "an object");
                        for (String g = nextField(f); g != null; g = nextField(f)) {
                            switch (g) {
                                case ENTRY_COUNT -> totals[0] = number("totals.entryCount", 0, Long.MAX_VALUE);
                                case TOTAL_BYTES -> totals[1] = number("totals.totalBytes", 0, Long.MAX_VALUE);
                                default -> throw invalid("totals." + g, "is not known");
                            }
                        }
                        if (totals[0] < 0 || totals[1] < 0) {
                            throw invalid("totals", "lacks entryCount or totalBytes");
                        }
                    }
                    case DATA -> {
                        if (header) {
                            throw invalid(f, "is not known");
                        }
                        long bytes = -1;
                        String sha = null;
                        expect(JsonToken.START_OBJECT, f, "an object");
                        for (String g = nextField(f); g != null; g = nextField(f)) {
                            switch (g) {
                                case COMPRESSED_BYTES -> bytes = number("data.compressedBytes", 1, Long.MAX_VALUE);
                                case SHA_256 -> sha = sha256("data.sha256");
                                default -> throw invalid("data." + g, "is not known");
                            }
                        }
                        if (bytes < 0 || sha == null) {
                            throw invalid("data", "lacks compressedBytes or sha256");
                        }
                        data = new Manifest.DataDigest(bytes, sha);
                    }
                    default -> throw invalid(f, "is not known");
                }
            }
            require(formatVersion, FORMAT_VERSION);
            if (!header) {
                require(data, DATA);
            }
            require(productName, "product.name");
            require(productVersion, "product.version");
            require(backupId, "backupId");
            require(createdAt, "createdAt");
            require(parts, "parts");
            require(entries, "entries");
            require(totals, "totals");
            return new Manifest(formatVersion, productName, productVersion, backupId, createdAt, parts, entries,
                    totals[0], totals[1], data);
        }

        private void require(Object value, String field) {
            if (value == null) {
                throw invalid(field, "is missing");
            }
        }

        private List<Manifest.Part> readParts(boolean header) throws IOException {
            expect(JsonToken.START_ARRAY, "parts", "an array");
            List<Manifest.Part> parts = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = "parts[" + parts.size() + "]";
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw invalid(at, "must be an object but is " + describe(p.currentToken()));
                }
                String name = null;
                String type = null;
                String schema = null;
                Map<String, String> attributes = header ? Map.of() : null;
                long count = header ? 0 : -1;
                long bytes = header ? 0 : -1;
                for (String f = nextField(at); f != null; f = nextField(at)) {
                    String field = at + "." + f;
                    switch (f) {
                        case NAME -> name = string(field);
                        case TYPE -> type = string(field);
                        case SCHEMA_VERSION -> schema = string(field);
                        case ATTRIBUTES -> {
                            if (header) {
                                throw invalid(field, "is not known");
                            }
                            attributes = new LinkedHashMap<>();
                            expect(JsonToken.START_OBJECT, field, "an object");
                            for (String k = nextField(field); k != null; k = nextField(field)) {
                                attributes.put(k, string(field + "." + k));
                            }
                        }
                        case ENTRY_COUNT -> {
                            if (header) {
                                throw invalid(field, "is not known");
                            }
                            count = number(field, 0, Long.MAX_VALUE);
                        }
                        case TOTAL_BYTES -> {
                            if (header) {
                                throw invalid(field, "is not known");
                            }
                            bytes = number(field, 0, Long.MAX_VALUE);
                        }
                        default -> throw invalid(field, "is not known");
                    }
                }
                require(name, at + ".name");
                require(type, at + ".type");
                require(attributes, at + ".attributes");
                if (count < 0 || bytes < 0) {
                    throw invalid(at, "lacks entryCount or totalBytes");
                }
                if (!ArchiveLayout.isValidPartName(name)) {
                    throw invalid(at + ".name", "is not a valid part name: '" + abbreviate(name) + "'");
                }
                parts.add(new Manifest.Part(name, type, schema, attributes, count, bytes));
            }
            return parts;
        }

        private List<Manifest.Entry> readEntries() throws IOException {
            expect(JsonToken.START_ARRAY, "entries", "an array");
            List<Manifest.Entry> entries = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = "entries[" + entries.size() + "]";
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw invalid(at, "must be an object but is " + describe(p.currentToken()));
                }
                String path = null;
                String part = null;
                String name = null;
                String stream = null;
                ArchiveEntry.Type type = null;
                long size = -1;
                String sha = null;
                int mode = -1;
                Instant mtime = null;
                String link = null;
                int chunk = -1;
                for (String f = nextField(at); f != null; f = nextField(at)) {
                    String field = at + "." + f;
                    switch (f) {
                        case PATH -> path = string(field);
                        case PART -> part = string(field);
                        case NAME -> name = string(field);
                        case STREAM -> stream = string(field);
                        case TYPE -> {
                            String t = string(field);
                            try {
                                type = ArchiveEntry.Type.valueOf(t);
                            } catch (IllegalArgumentException e) {
                                throw invalid(field, "is not one of FILE, DIRECTORY, SYMLINK, CHUNK: '"
                                        + abbreviate(t) + "'");
                            }
                        }
                        case SIZE -> size = number(field, 0, Long.MAX_VALUE);
                        case SHA_256 -> sha = sha256(field);
                        case MODE -> mode = (int) number(field, 0, 07777);
                        case MTIME -> mtime = instant(field);
                        case LINK_TARGET -> link = string(field);
                        case CHUNK_INDEX -> chunk = (int) number(field, 0, Integer.MAX_VALUE);
                        default -> throw invalid(field, "is not known");
                    }
                }
                require(path, at + ".path");
                require(part, at + ".part");
                require(type, at + ".type");
                if (type != ArchiveEntry.Type.CHUNK) {
                    require(sha, at + "." + SHA_256);
                } else if (sha != null) {
                    throw invalid(at + "." + SHA_256, "is not known for a chunk (the data's SHA-256 covers it)");
                }
                require(mtime, at + ".mtime");
                if (size < 0) {
                    throw invalid(at + ".size", "is missing");
                }
                if (mode < 0) {
                    throw invalid(at + ".mode", "is missing");
                }
                if (type == ArchiveEntry.Type.CHUNK) {
                    if (stream == null || name != null || chunk < 0) {
                        throw invalid(at, "is a CHUNK and must have 'stream' and 'chunkIndex' and no 'name'");
                    }
                    name = stream;
                } else if (name == null || stream != null || chunk >= 0) {
                    throw invalid(at, "must have 'name' and no 'stream' or 'chunkIndex'");
                }
                if ((type == ArchiveEntry.Type.SYMLINK) != (link != null)) {
                    throw invalid(at, "must have a 'linkTarget' if and only if it is a SYMLINK");
                }
                if ((type == ArchiveEntry.Type.SYMLINK || type == ArchiveEntry.Type.DIRECTORY) && size != 0) {
                    throw invalid(at + ".size", "must be 0 for a " + type);
                }
                entries.add(new Manifest.Entry(path, part, name, type, size, sha, mode, mtime, link, chunk));
            }
            return entries;
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
