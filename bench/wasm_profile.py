#!/usr/bin/env python3
"""Where the hydrate wasm's bytes go: code size per crate, from the function names.

    python3 bench/wasm_profile.py [MODULE.wasm] [TOP]

The default module is the main module of the last release build after splitting and before
wasm-bindgen and wasm-opt (those strip the names): target/front/.../frontend_split.wasm.
Sizes are of function bodies before optimisation, so read them as shares, not final bytes.
"""

import collections
import re
import sys

DEFAULT = "target/front/wasm32-unknown-unknown/wasm-release/frontend_split.wasm"


def leb128(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def skip_limits(data, at):
    flags = data[at]
    _, at = leb128(data, at + 1)
    if flags & 1:
        _, at = leb128(data, at)
    return at


def read_module(data):
    """Function body sizes (in index order, after the imported functions) and names."""
    imported = 0
    bodies = []
    names = {}
    at = 8
    while at < len(data):
        section = data[at]
        size, at = leb128(data, at + 1)
        start, end = at, at + size
        if section == 2:  # imports: count the functions among them
            count, p = leb128(data, start)
            for _ in range(count):
                for _ in range(2):  # module name, field name
                    n, p = leb128(data, p)
                    p += n
                kind = data[p]
                p += 1
                if kind == 0:
                    _, p = leb128(data, p)
                    imported += 1
                elif kind == 1:
                    p = skip_limits(data, p + 1)
                elif kind == 2:
                    p = skip_limits(data, p)
                elif kind == 3:
                    p += 2
        elif section == 10:  # code
            count, p = leb128(data, start)
            for _ in range(count):
                n, q = leb128(data, p)
                bodies.append(n + (q - p))
                p = q + n
        elif section == 0:  # custom: the "name" section's function names
            n, p = leb128(data, start)
            if data[p : p + n] == b"name":
                p += n
                while p < end:
                    sub = data[p]
                    sub_size, p = leb128(data, p + 1)
                    sub_end = p + sub_size
                    if sub == 1:
                        count, p = leb128(data, p)
                        for _ in range(count):
                            index, p = leb128(data, p)
                            n, p = leb128(data, p)
                            names[index] = data[p : p + n].decode("utf8", "replace")
                            p += n
                    p = sub_end
        at = end
    return imported, bodies, names


def crate_of(name):
    """The crate a mangled Rust symbol belongs to (for trait impls, the implementing type's)."""
    if name.startswith("__wbindgen_describe"):
        return "(wasm-bindgen descriptors, removed by wasm-bindgen)"
    legacy = re.match(r"_ZN(\d+)(.*)", name)
    if legacy and not legacy.group(2).startswith("_$LT$"):
        return legacy.group(2)[: int(legacy.group(1))]
    if name.startswith("_R"):
        v0 = re.search(r"Cs[0-9a-zA-Z]*_\d+([a-z_][a-z0-9_]*)", name)
        return v0.group(1) if v0 else "(other)"
    path = re.search(r"([a-z_][a-z0-9_]*)\.\.", name)
    return path.group(1) if path else "(other)"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    imported, bodies, names = read_module(open(path, "rb").read())
    per_crate = collections.Counter()
    for index, size in enumerate(bodies):
        per_crate[crate_of(names.get(imported + index, ""))] += size
    total = sum(bodies)
    print(f"{path}: {len(bodies)} functions, {total // 1024} KB of code before optimisation")
    for crate, size in per_crate.most_common(top):
        print(f"{size // 1024:7d} KB {100 * size / total:5.1f}%  {crate}")


if __name__ == "__main__":
    main()
