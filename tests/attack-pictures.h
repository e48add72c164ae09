/* SPDX-License-Identifier: MIT */
/* Hostile and odd picture files, each with what the server must make of
 * it: decompression bombs (a few bytes declaring billions of pixels),
 * headers their decoder refuses, and the legitimate oddities (EXIF
 * orientation, APNG, animation, CMYK, 16 bits). Shared by the header
 * reader's own test and the server's attack suite. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* With the server's default --max-input-pixels. */
#define ATTACK_MAX_PIXELS 50000000

typedef enum {
  ATTACK_ACCEPTED,    /* upload 201 */
  ATTACK_TOO_LARGE,   /* upload 413, variants 422 */
  ATTACK_INVALID,     /* upload 422, variants 422 */
} AttackVerdict;

typedef struct {
  const char *name;             /* a catalogue name: its extension is its format's */
  GBytes *(*make) (void);
  AttackVerdict verdict;
  guint width, height;          /* accepted: as shown (EXIF applied); too large: as declared */
  guint listed_width, listed_height;  /* in the catalogue, which judges without a limit; 0: no size */
  gboolean renders;             /* its pixels are real: a variant is 200 */
} AttackPicture;

const AttackPicture *attack_pictures     (gsize   *count);
GBytes              *attack_png_declaring (guint32  width,
                                           guint32  height,
                                           gsize    idat_length);

G_END_DECLS
