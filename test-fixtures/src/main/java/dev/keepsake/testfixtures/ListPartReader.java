package dev.keepsake.testfixtures;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.PartReader;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link PartReader} that yields exactly the entries and bytes a test gives it, including ones the engine would
 * never let through (unsafe names, content longer or shorter than the entry declares, totals that do not match), so
 * that a part's own validation can be tested directly, without building an archive.
 *
 * <p>Not thread-safe: one thread reads, as from the engine's reader. Single use: it yields its items once.
 */
public final class ListPartReader implements PartReader {

    /**
     * One entry as the reader yields it.
     *
     * @param entry   the metadata the reader reports
     * @param content the bytes the entry's stream yields, whatever {@code entry.size()} says
     */
    public record Item(ArchiveEntry entry, byte[] content) {
        public Item {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(content, "content");
        }
    }

    private final String partName;
    private final long totalBytes;
    private final long entryCount;
    private final Map<String, String> attributes;
    private final Iterator<Item> iterator;

    /**
     * A reader over {@code items}.
     *
     * @param totalBytes the total it reports, as a manifest would; {@code null} for the sum of the declared sizes
     * @param entryCount the count it reports, as a manifest would; {@code null} for the number of items
     * @param attributes the part's attributes it reports
     */
    public ListPartReader(String partName, List<Item> items, Long totalBytes, Long entryCount,
                          Map<String, String> attributes) {
        List<Item> copy = List.copyOf(items);
        this.partName = Objects.requireNonNull(partName, "partName");
        this.totalBytes = totalBytes != null ? totalBytes : copy.stream().mapToLong(i -> i.entry().size()).sum();
        this.entryCount = entryCount != null ? entryCount : copy.size();
        this.attributes = Map.copyOf(attributes);
        this.iterator = copy.iterator();
    }

    /** A reader over {@code items} with true totals and no attributes. */
    public static ListPartReader of(String partName, List<Item> items) {
        return new ListPartReader(partName, items, null, null, Map.of());
    }

    @Override
    public String partName() {
        return partName;
    }

    @Override
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public Optional<String> schemaVersion() {
        return Optional.empty();
    }

    @Override
    public long entryCount() {
        return entryCount;
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public Optional<Entry> next() {
        if (!iterator.hasNext()) {
            return Optional.empty();
        }
        Item item = iterator.next();
        InputStream content = new ByteArrayInputStream(item.content());
        return Optional.of(new Entry() {
            @Override
            public ArchiveEntry entry() {
                return item.entry();
            }

            @Override
            public InputStream content() {
                return content;
            }
        });
    }
}
