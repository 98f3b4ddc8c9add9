# Big-endian SPSS system files for the decoder's big-endian path: SPSS on big-endian machines
# (SPARC, POWER, mainframes) wrote its integers and doubles most significant byte first, and
# neither R haven nor PSPP writes that order, so this script rewrites little-endian files
# written by haven and PSPP (fixtures/formats/sav/, test/reference/sav-files.R) record by
# record, with the layout of the PSPP manual's "System File Format" appendix: the header,
# variable records (numeric missing values swapped, string ones kept), value labels (numeric
# values swapped, string values kept: the variable record says which), documents, extension
# records (4- and 8-byte elements swapped; subtypes 21 and 22 field by field; machine integer
# info's endianness code set to 1, big), the dictionary end, then the data: uncompressed cases
# element by element, bytecode's 253-values by the variable they belong to, and .zsav's zlib
# header, blocks (inflated, rewritten, deflated again) and trailer.
# test/reference/sav-bigendian.R then checks with R haven that each big-endian file reads to
# the same values as its little-endian original (an independent reader) and writes
# test/reference/sav-bigendian.json. Run from the repository root:
#   /usr/bin/python3 -P test/reference/sav-bigendian.py && Rscript test/reference/sav-bigendian.R
import os, struct, zlib

SRC = 'fixtures/formats/sav'
OUT = 'fixtures/formats/sav/bigendian'
FILES = ['haven_byte.sav', 'pspp_uncompressed.sav', 'haven_zsav.zsav']


class Rewriter:
    def __init__(self, data):
        self.d = data
        self.pos = 0
        self.out = bytearray()

    def raw(self, n):
        self.out += self.d[self.pos:self.pos + n]
        self.pos += n

    def swap(self, size, count=1):
        for _ in range(count):
            self.out += self.d[self.pos:self.pos + size][::-1]
            self.pos += size

    def i32(self, value=None):
        v = struct.unpack_from('<i', self.d, self.pos)[0]
        self.out += struct.pack('>i', v if value is None else value)
        self.pos += 4
        return v


def data_bytes(r, numeric, compression, bias):
    """Rewrites the case data (bytecode stream or plain cases) from r.pos to the end."""
    n = len(numeric)
    if compression == 0:
        e = 0
        while r.pos < len(r.d):
            r.swap(8) if numeric[e % n] else r.raw(8)
            e += 1
        return
    e = 0
    while r.pos < len(r.d):
        codes = r.d[r.pos:r.pos + 8]
        r.raw(8)
        for c in codes:
            if c == 0:
                continue
            if c == 252:
                r.raw(len(r.d) - r.pos)  # end of data: padding follows, if anything
                return
            if c == 253:
                r.swap(8) if numeric[e % n] else r.raw(8)
            e += 1


def convert(data):
    r = Rewriter(data)
    r.raw(64)  # $FL2 and the product name
    r.i32()  # layout code
    r.i32()  # nominal case size
    compression = r.i32()
    r.i32()  # weight index
    r.i32()  # cases
    bias = struct.unpack_from('<d', data, r.pos)[0]
    r.swap(8)
    r.raw(9 + 8 + 64 + 3)  # date, time, label, padding
    numeric = []  # per 8-byte case element: True for a number
    pending_labels = None
    while True:
        rec = r.i32()
        if rec == 2:
            typ = r.i32()
            has_label = r.i32()
            nmiss = r.i32()
            r.i32()
            r.i32()  # print and write formats
            r.raw(8)
            if has_label:
                ln = r.i32()
                r.raw((ln + 3) // 4 * 4)
            for _ in range(abs(nmiss)):
                r.swap(8) if typ == 0 else r.raw(8)
            numeric.append(typ == 0)
        elif rec == 3:
            count = r.i32()
            # The values are numbers or strings as the variables of the record 4 that follows.
            start = r.pos
            for _ in range(count):
                r.pos += 8
                ln = data[r.pos]
                r.pos += (ln + 1 + 7) // 8 * 8
            end = r.pos
            assert struct.unpack_from('<i', data, end)[0] == 4
            first = struct.unpack_from('<i', data, end + 8)[0]
            r.pos = start
            for _ in range(count):
                r.swap(8) if numeric[first - 1] else r.raw(8)
                ln = data[r.pos]
                r.raw((ln + 1 + 7) // 8 * 8)
        elif rec == 4:
            n = r.i32()
            for _ in range(n):
                r.i32()
        elif rec == 6:
            n = r.i32()
            r.raw(80 * n)
        elif rec == 7:
            sub = r.i32()
            size = r.i32()
            count = r.i32()
            if sub == 3:
                for k in range(8):
                    r.i32(1 if k == 6 else None)  # element 7: endianness, 1 = big
            elif sub in (21, 22):
                end = r.pos + size * count
                while r.pos < end:
                    r.raw(r.i32())  # variable name
                    if sub == 21:
                        r.i32()  # width
                        for _ in range(r.i32()):
                            r.raw(r.i32())  # value
                            r.raw(r.i32())  # label
                    else:
                        nm = data[r.pos]
                        r.raw(1)
                        vlen = r.i32()
                        r.raw(vlen * nm)
            elif size in (4, 8):
                r.swap(size, count)
            else:
                r.raw(size * count)
        elif rec == 999:
            r.i32()
            break
        else:
            raise ValueError(f'record type {rec} at {r.pos - 4}')
    if compression != 2:
        data_bytes(r, numeric, compression, bias)
        return bytes(r.out)
    # .zsav: zlib header (3 int64), blocks, trailer (bias, zero: int64; block size, count: int32;
    # then per block 2 int64 offsets and 2 int32 sizes).
    zheader = r.pos
    zh, zt, zl = struct.unpack_from('<qqq', data, zheader)
    bias64, zero, block_size, nblocks = struct.unpack_from('<qqii', data, zt)
    blocks = [struct.unpack_from('<qqii', data, zt + 24 + 24 * k) for k in range(nblocks)]
    stream = b''.join(zlib.decompress(data[c:c + clen]) for (_, c, _, clen) in blocks)
    s = Rewriter(stream)
    data_bytes(s, numeric, 1, bias)
    stream = bytes(s.out)
    body = bytearray()
    entries = []
    at = zheader + 24
    u = zh
    for (_, _, ulen, _) in blocks:
        part = zlib.compress(stream[:ulen])
        stream = stream[ulen:]
        entries.append((u, at + len(body), ulen, len(part)))
        body += part
        u += ulen
    trailer_at = zheader + 24 + len(body)
    trailer = struct.pack('>qqii', bias64, zero, block_size, nblocks) + b''.join(struct.pack('>qqii', *e) for e in entries)
    head = struct.pack('>qqq', zheader, trailer_at, len(trailer))
    return bytes(r.out) + head + bytes(body) + trailer


os.makedirs(OUT, exist_ok=True)
for f in FILES:
    with open(os.path.join(SRC, f), 'rb') as fh:
        be = convert(fh.read())
    with open(os.path.join(OUT, f.replace('.', '_be.', 1)), 'wb') as fh:
        fh.write(be)
