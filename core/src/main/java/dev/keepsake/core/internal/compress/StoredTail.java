package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;

/**
 * The canonical form of an archive's tail — everything after the data: the manifest, the signature and the tar end —
 * in the compressed stream: stored, not compressed, so that its bytes are a function of its content alone. The data
 * digest authenticates every compressed byte before the tail; the tail's content is authenticated by the signature
 * (the manifest) or checked by the reader (the signature, the tar end); this form makes the rest — the gzip member
 * headers, block headers, CRCs, the zstd frame — checkable byte for byte: a reader encodes the content it read again
 * and requires the same bytes. So no byte of an archive can change unnoticed.
 *
 * <ul>
 *   <li>gzip: members of at most {@value #GZIP_PIECE} content bytes each, in the header form of
 *   {@link ParallelGzipOutputStream#HEADER} (the first marked {@code 'K','M'}, the others {@code 'K','S'}), each one
 *   final stored deflate block ({@code 01 LEN NLEN} and the bytes), CRC-32 and ISIZE.</li>
 *   <li>zstd: the marker {@link ZstdFrames#MARKER}, then one frame: single segment, an 8-byte content size, no
 *   checksum, raw blocks of at most {@value #ZSTD_BLOCK} bytes (one empty raw block for no content).</li>
 * </ul>
 * Stateless; thread-safe.
 */
public final class StoredTail {

    /** Content bytes per gzip member of the tail (the most one stored deflate block holds). */
    static final int GZIP_PIECE = 65535;
    /** Content bytes per raw zstd block (the format's largest block). */
    static final int ZSTD_BLOCK = 128 * 1024;
    private static final int ZSTD_FRAME_MAGIC = 0xFD2FB528;
    /** Frame header descriptor: 8-byte content size, single segment, no checksum, no dictionary. */
    private static final int ZSTD_DESCRIPTOR = 0xE0;

    private StoredTail() {
    }

    /** The tail holding {@code content}, in the form {@code format} stores it (the mark of the manifest included). */
    public static byte[] encode(ArchiveFormat format, byte[] content) {
        return format == ArchiveFormat.ZSTD ? zstd(content) : gzip(content);
    }

    private static byte[] gzip(byte[] content) {
        byte[] header = ParallelGzipOutputStream.HEADER;
        int pieces = Math.max(1, (content.length + GZIP_PIECE - 1) / GZIP_PIECE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + pieces * (header.length + 13));
        CRC32 crc = new CRC32();
        for (int p = 0; p < pieces; p++) {
            int off = p * GZIP_PIECE;
            int n = Math.min(GZIP_PIECE, content.length - off);
            byte[] member = new byte[header.length + 5 + n + 8];
            System.arraycopy(header, 0, member, 0, header.length);
            if (p == 0) {
                System.arraycopy(ParallelGzipOutputStream.MANIFEST_MARK, 0, member,
                        ParallelGzipOutputStream.SUBFIELD_AT, ParallelGzipOutputStream.MANIFEST_MARK.length);
            }
            putIntLe(member, ParallelGzipOutputStream.LENGTH_AT, member.length);
            int at = header.length;
            member[at] = 1; // BFINAL, BTYPE 00 (stored)
            member[at + 1] = (byte) n;
            member[at + 2] = (byte) (n >>> 8);
            member[at + 3] = (byte) ~n;
            member[at + 4] = (byte) (~n >>> 8);
            System.arraycopy(content, off, member, at + 5, n);
            crc.reset();
            crc.update(content, off, n);
            putIntLe(member, member.length - 8, (int) crc.getValue());
            putIntLe(member, member.length - 4, n);
            out.writeBytes(member);
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] content) {
        int blocks = Math.max(1, (content.length + ZSTD_BLOCK - 1) / ZSTD_BLOCK);
        ByteArrayOutputStream out = new ByteArrayOutputStream(ZstdFrames.MARKER.length + 13 + blocks * 3
                + content.length);
        out.writeBytes(ZstdFrames.MARKER);
        byte[] head = new byte[13];
        putIntLe(head, 0, ZSTD_FRAME_MAGIC);
        head[4] = (byte) ZSTD_DESCRIPTOR;
        long size = content.length;
        for (int i = 0; i < 8; i++) {
            head[5 + i] = (byte) (size >>> (8 * i));
        }
        out.writeBytes(head);
        for (int b = 0; b < blocks; b++) {
            int off = b * ZSTD_BLOCK;
            int n = Math.min(ZSTD_BLOCK, content.length - off);
            int blockHeader = (n << 3) | (b == blocks - 1 ? 1 : 0); // Raw_Block (type 0), Last_Block bit
            out.write(blockHeader);
            out.write(blockHeader >>> 8);
            out.write(blockHeader >>> 16);
            out.write(content, off, n);
        }
        return out.toByteArray();
    }

    private static void putIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
