"""Reference streams for src/stats/random.ts: an independent Python implementation of
the documented generator (FNV-1a 32 string hash, splitmix32 seeding, sfc32 with 12
discarded outputs, 53-bit uniforms from two outputs, rejection-sampled integers).

Run from the repository root:  /usr/bin/python3 test/reference/random.py
"""
import json
import sys

M = 0xFFFFFFFF


def fnv1a32(s):
    h = 0x811C9DC5
    for byte in s.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & M
    return h


class SplitMix32:
    def __init__(self, s):
        self.s = s & M

    def next(self):
        self.s = (self.s + 0x9E3779B9) & M
        z = self.s
        z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M
        z = ((z ^ (z >> 15)) * 0x735A2D97) & M
        return (z ^ (z >> 15)) & M


class Sfc32:
    def __init__(self, seed):
        if isinstance(seed, str):
            s = fnv1a32(seed)
        else:
            s = (seed & M) ^ ((seed >> 32) & M)
        sm = SplitMix32(s)
        self.a, self.b, self.c, self.d = sm.next(), sm.next(), sm.next(), sm.next()
        for _ in range(12):
            self.next()

    def next(self):
        t = (self.a + self.b + self.d) & M
        self.d = (self.d + 1) & M
        self.a = (self.b ^ (self.b >> 9)) & M
        self.b = (self.c + (self.c << 3)) & M
        self.c = ((((self.c << 21) | (self.c >> 11)) & M) + t) & M
        return t

    def uniform(self):
        hi = self.next() >> 5
        lo = self.next() >> 6
        return (hi * 67108864 + lo) / 9007199254740992.0

    def int(self, n):
        limit = 4294967296 - (4294967296 % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n


seeds = [0, 1, 42, 2**40 + 7, "bootstrap", "klient-ö"]
cases = []
for seed in seeds:
    g1, g2, g3 = Sfc32(seed), Sfc32(seed), Sfc32(seed)
    cases.append({
        "seed": seed,
        "uint32": [g1.next() for _ in range(20)],
        "uniform": [g2.uniform() for _ in range(10)],
        "int7": [g3.int(7) for _ in range(20)],
    })
out = {"generator": "test/reference/random.py", "python": sys.version.split()[0],
       "fnv1a32": {"": fnv1a32(""), "a": fnv1a32("a"), "foobar": fnv1a32("foobar")},
       "cases": cases}
with open("test/reference/random.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
