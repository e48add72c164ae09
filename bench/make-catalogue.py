#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a large catalogue for bench/choice-cost.sh: COUNT small real PNG
pictures (landscape, portrait and square, each a different flat colour)
spread over ALBUMS album folders. Usage: make-catalogue.py DIR [COUNT] [ALBUMS]"""
import os
import struct
import sys
import zlib


def png(width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    row = b"\0" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def main():
    folder = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    albums = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    sizes = [(24, 16), (16, 24), (20, 20)]
    for album in range(albums):
        os.makedirs(os.path.join(folder, f"album-{album:03d}"), exist_ok=True)
    for number in range(count):
        width, height = sizes[number % 3]
        rgb = ((number * 37) % 256, (number * 91) % 256, (number * 53) % 256)
        path = os.path.join(folder, f"album-{number % albums:03d}", f"p{number:06d}.png")
        with open(path, "wb") as out:
            out.write(png(width, height, rgb))
    with open(os.path.join(folder, "top.png"), "wb") as out:
        out.write(png(20, 20, (1, 2, 3)))


main()
