#!/usr/bin/env python3
"""Marks the GLIBCXX_3.4.32 version need of an ELF shared library weak, in place.

Usage: mark-glibcxx-weak.py FILE

glibc refuses to load a library that needs a symbol version its dependency lacks, unless the need
is weak (VER_FLG_WEAK in the Elf64_Vernaux's vna_flags): then it only notes the missing version.
The need lives in the .gnu.version_r section (SHT_GNU_verneed): a chain of Elf64_Verneed records,
one per library, each with a chain of Elf64_Vernaux records, one per version; names are offsets
into the string table named by the section's sh_link.
"""
import struct
import sys

VERSION = b"GLIBCXX_3.4.32"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def section_headers(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("not a little-endian 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    # Each: sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link.
    return [struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize) for i in range(shnum)]


def version_need_flags_offset(data):
    """The file offset of vna_flags in the Elf64_Vernaux named GLIBCXX_3.4.32, or None."""
    headers = section_headers(data)
    for _, kind, _, _, offset, _, link in headers:
        if kind != SHT_GNU_VERNEED:
            continue
        strings = headers[link][4]
        need = offset
        while True:
            # Elf64_Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next.
            _, count, _, aux, next_need = struct.unpack_from("<HHIII", data, need)
            entry = need + aux
            for _ in range(count):
                # Elf64_Vernaux: vna_hash, vna_flags, vna_other, vna_name, vna_next.
                _, _, _, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                start = strings + name
                if data[start:data.index(b"\0", start)] == VERSION:
                    return entry + 4
                entry += next_aux
            if next_need == 0:
                break
            need += next_need
    return None


def main(path):
    with open(path, "r+b") as file:
        data = file.read()
        flags_at = version_need_flags_offset(data)
        if flags_at is None:
            print(f"{path}: needs no {VERSION.decode()}; nothing to mark")
            return
        flags, = struct.unpack_from("<H", data, flags_at)
        file.seek(flags_at)
        file.write(struct.pack("<H", flags | VER_FLG_WEAK))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
