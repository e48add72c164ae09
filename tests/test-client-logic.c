/* SPDX-License-Identifier: MIT */
/* The viewer's logic without widgets: SSE parser, answer and album list
 * parsers, variant URLs and which variant a shown size needs, backoff,
 * and the live follower against small fake servers on loopback that speak
 * plain SSE and long-poll the way third-party push servers do, and
 * against a port nobody listens on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rndimg-albums.h"
#include "rndimg-answer.h"
#include "rndimg-backoff.h"
#include "rndimg-blurhash-decode.h"
#include "rndimg-live.h"
#include "rndimg-sse-parser.h"
#include "rndimg-variant-size.h"
#include "rndimg-test-util.h"

typedef struct {
  GPtrArray *types;
  GPtrArray *data;
  GPtrArray *ids;
} Events;

static void
on_event (const char *type, const char *data, const char *id, gpointer user_data)
{
  Events *events = user_data;

  g_ptr_array_add (events->types, g_strdup (type));
  g_ptr_array_add (events->data, g_strdup (data));
  g_ptr_array_add (events->ids, g_strdup (id));
}

static void
events_init (Events *events)
{
  events->types = g_ptr_array_new_with_free_func (g_free);
  events->data = g_ptr_array_new_with_free_func (g_free);
  events->ids = g_ptr_array_new_with_free_func (g_free);
}

static void
events_clear (Events *events)
{
  g_ptr_array_unref (events->types);
  g_ptr_array_unref (events->data);
  g_ptr_array_unref (events->ids);
}

/* Feeds @text in pieces of @piece bytes (0: all at once). */
static RndimgSseParser *
parse (Events *events, const char *text, gsize piece)
{
  RndimgSseParser *parser = rndimg_sse_parser_new (on_event, events);
  gsize length = strlen (text);

  events_init (events);
  if (piece == 0)
    piece = length;
  for (gsize offset = 0; offset < length; offset += piece)
    g_assert_true (rndimg_sse_parser_feed (parser, text + offset, MIN (piece, length - offset), NULL));
  return parser;
}

#define EVENT(events, i) ((const char *) g_ptr_array_index ((events).data, i))

static void
test_sse_basic (void)
{
  Events events;
  g_autoptr(RndimgSseParser) parser =
    parse (&events, "retry: 3000\n\nid: 7\nevent: image\ndata: {\"a\":1}\n\n", 0);

  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events.types, 0), ==, "image");
  g_assert_cmpstr (EVENT (events, 0), ==, "{\"a\":1}");
  g_assert_cmpstr (g_ptr_array_index (events.ids, 0), ==, "7");
  g_assert_cmpint (rndimg_sse_parser_get_retry (parser), ==, 3000);
  g_assert_cmpstr (rndimg_sse_parser_get_last_event_id (parser), ==, "7");
  events_clear (&events);
}

static void
test_sse_multi_line_data (void)
{
  Events events;
  g_autoptr(RndimgSseParser) parser = parse (&events, "data: one\ndata:two\ndata\ndata:  four\n\n", 0);

  g_assert_cmpuint (events.data->len, ==, 1);
  /* One leading space is dropped, no more; "data" alone adds an empty line. */
  g_assert_cmpstr (EVENT (events, 0), ==, "one\ntwo\n\n four");
  g_assert_cmpstr (g_ptr_array_index (events.types, 0), ==, "message");
  events_clear (&events);
}

static void
test_sse_comments (void)
{
  Events events;
  g_autoptr(RndimgSseParser) parser = parse (&events, ": heartbeat\n\n:\ndata: x\n: inside\n\n", 0);

  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_cmpstr (EVENT (events, 0), ==, "x");
  g_assert_cmpuint (rndimg_sse_parser_get_comment_count (parser), ==, 3);
  events_clear (&events);
}

static void
test_sse_line_endings (void)
{
  const char *texts[] = { "id: 5\r\ndata: a\r\n\r\ndata: b\r\n\r\n",
                          "id: 5\rdata: a\r\rdata: b\r\r",
                          "id: 5\ndata: a\n\ndata: b\n\n" };

  for (gsize t = 0; t < G_N_ELEMENTS (texts); t++)
    for (gsize piece = 0; piece <= 3; piece++)
      {
        Events events;
        g_autoptr(RndimgSseParser) parser = parse (&events, texts[t], piece);

        g_assert_cmpuint (events.data->len, ==, 2);
        g_assert_cmpstr (EVENT (events, 0), ==, "a");
        g_assert_cmpstr (EVENT (events, 1), ==, "b");
        g_assert_cmpstr (g_ptr_array_index (events.ids, 1), ==, "5");
        events_clear (&events);
      }
}

static void
test_sse_split_chunks (void)
{
  const char *text = "retry: 1500\nid: 41\nevent: image\ndata: {\"id\":41}\n\nid: 42\nevent: image\ndata: {\"id\":42}\n\n";

  for (gsize piece = 1; piece < strlen (text); piece++)
    {
      Events events;
      g_autoptr(RndimgSseParser) parser = parse (&events, text, piece);

      g_assert_cmpuint (events.data->len, ==, 2);
      g_assert_cmpstr (EVENT (events, 1), ==, "{\"id\":42}");
      g_assert_cmpstr (rndimg_sse_parser_get_last_event_id (parser), ==, "42");
      g_assert_cmpint (rndimg_sse_parser_get_retry (parser), ==, 1500);
      events_clear (&events);
    }
}

static void
test_sse_edge_cases (void)
{
  Events events;
  g_autoptr(RndimgSseParser) parser =
    parse (&events, "retry: soon\nretry: 12a\ndata: no end yet", 0);

  /* A bad retry is ignored; an event without its blank line is not sent. */
  g_assert_cmpint (rndimg_sse_parser_get_retry (parser), ==, -1);
  g_assert_cmpuint (events.data->len, ==, 0);
  /* A new connection drops the half event but keeps the last id. */
  g_assert_true (rndimg_sse_parser_feed (parser, "\nid: 9\n\n", 8, NULL));
  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_true (rndimg_sse_parser_feed (parser, "data: half", 10, NULL));
  rndimg_sse_parser_reset (parser);
  g_assert_true (rndimg_sse_parser_feed (parser, "\n\n", 2, NULL));
  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_cmpstr (rndimg_sse_parser_get_last_event_id (parser), ==, "9");
  /* An empty event (no data) dispatches nothing. */
  g_assert_true (rndimg_sse_parser_feed (parser, "event: image\n\n", 14, NULL));
  g_assert_cmpuint (events.data->len, ==, 1);
  events_clear (&events);
}

/* A hostile server sending one endless line, or endless data lines, must
 * not grow our memory: the parser gives up past its limits. */
static void
test_sse_bounded (void)
{
  Events events;
  g_autoptr(RndimgSseParser) parser = parse (&events, "data: ok\n\n", 0);
  g_autofree char *chunk = g_malloc (4096);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  gsize fed = 0;

  memset (chunk, 'x', 4096);
  g_assert_true (rndimg_sse_parser_feed (parser, "data: ", 6, NULL));
  while (ok && fed < 16 * RNDIMG_SSE_MAX_LINE_BYTES)
    {
      ok = rndimg_sse_parser_feed (parser, chunk, 4096, &error);
      fed += 4096;
    }
  g_assert_false (ok);
  g_assert_error (error, RNDIMG_SSE_ERROR, RNDIMG_SSE_ERROR_TOO_LONG);
  g_assert_cmpuint (fed, <=, RNDIMG_SSE_MAX_LINE_BYTES + 4096);
  g_assert_cmpuint (events.data->len, ==, 1);
  g_clear_error (&error);

  /* Many short data lines with no blank line: bounded too. */
  rndimg_sse_parser_reset (parser);
  ok = TRUE;
  fed = 0;
  chunk[4095] = '\n';
  memcpy (chunk, "data:", 5);
  while (ok && fed < 16 * RNDIMG_SSE_MAX_EVENT_BYTES)
    {
      ok = rndimg_sse_parser_feed (parser, chunk, 4096, &error);
      fed += 4096;
    }
  g_assert_false (ok);
  g_assert_error (error, RNDIMG_SSE_ERROR, RNDIMG_SSE_ERROR_TOO_LONG);
  g_assert_cmpuint (fed, <=, RNDIMG_SSE_MAX_EVENT_BYTES + 8192);
  events_clear (&events);
}

/* NUL is dropped only where the standard says: an id field holding one
 * is ignored; other fields keep going. */
static void
test_sse_nul (void)
{
  static const char text[] = "id: 3\n\nid: 4\0x\ndata: a\0b\nevent: image\n\n";
  Events events;
  g_autoptr(RndimgSseParser) parser = rndimg_sse_parser_new (on_event, &events);

  events_init (&events);
  g_assert_true (rndimg_sse_parser_feed (parser, text, sizeof text - 1, NULL));
  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events.ids, 0), ==, "3");
  g_assert_cmpstr (g_ptr_array_index (events.types, 0), ==, "image");
  g_assert_cmpstr (EVENT (events, 0), ==, "a");     /* "a\0b" as a C string */
  events_clear (&events);
}

static void
test_answer_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) simple = rndimg_answer_parse (
    "{\"status\":\"success\",\"message\":\"http://h:5000/static/img/023.png\"}", -1, &error);
  g_autoptr(RndimgAnswer) event = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (simple->url, ==, "http://h:5000/static/img/023.png");
  g_assert_cmpstr (simple->name, ==, "023.png");
  g_assert_cmpint (simple->id, ==, -1);
  g_assert_null (simple->source);

  event = rndimg_answer_parse ("{\"status\":\"success\",\"id\":12,\"message\":\"https://x/static/img/a.png\","
                               "\"name\":\"a.png\",\"published_at\":\"2026-11-24T14:00:00Z\",\"source\":\"timer\","
                               "\"epoch\":\"5f0c2a9e1b7d4c38\"}",
                               -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->id, ==, 12);
  g_assert_cmpstr (event->source, ==, "timer");
  g_assert_cmpstr (event->published_at, ==, "2026-11-24T14:00:00Z");
  g_assert_cmpstr (event->epoch, ==, "5f0c2a9e1b7d4c38");
  g_assert_null (event->alt);
  g_assert_null (simple->epoch);
}

/* An event carries its picture's details beside its id: the alt text
 * comes from there (no request for the picture's page). */
static void
test_answer_event_alt (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) event = rndimg_answer_parse (
    "{\"status\":\"success\",\"id\":3,\"message\":\"http://h/static/img/cats/c1.png\",\"name\":\"cats/c1.png\","
    "\"width\":64,\"height\":48,\"alt\":\"A cat\",\"alt_by_language\":{\"zz\":\"never\"}}", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (event->alt, ==, "A cat");
  g_assert_cmpuint (event->width, ==, 64);
  g_assert_cmpuint (event->height, ==, 48);
  g_assert_null (event->blurhash);
}

/* What the Properties pane shows: the owner's author, licence and source
 * (http(s) only: it becomes a link), the file's size, type and time, the
 * album; copied with the answer. */
static void
test_answer_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) answer = rndimg_answer_parse (
    "{\"status\":\"success\",\"message\":\"http://h/static/img/cats/c1.png\",\"image\":{\"name\":\"cats/c1.png\","
    "\"album\":\"cats\",\"bytes\":48213,\"content_type\":\"image/png\",\"modified\":\"2026-11-20T09:12:44Z\","
    "\"author\":\"Ann Example\",\"license\":\"CC BY 4.0\",\"source_url\":\"https://example.org/c1\"}}", -1, &error);
  g_autoptr(RndimgAnswer) copy = NULL;
  g_autoptr(RndimgAnswer) hostile = rndimg_answer_parse (
    "{\"status\":\"success\",\"message\":\"http://h/static/img/a.png\",\"source_url\":\"javascript:alert(1)\","
    "\"bytes\":\"many\",\"author\":7}", -1, &error);

  g_assert_no_error (error);
  copy = rndimg_answer_copy (answer);
  g_assert_cmpstr (copy->album, ==, "cats");
  g_assert_cmpstr (copy->author, ==, "Ann Example");
  g_assert_cmpstr (copy->license, ==, "CC BY 4.0");
  g_assert_cmpstr (copy->source_url, ==, "https://example.org/c1");
  g_assert_cmpstr (copy->content_type, ==, "image/png");
  g_assert_cmpint (copy->bytes, ==, 48213);
  g_assert_cmpstr (copy->modified, ==, "2026-11-20T09:12:44Z");
  g_assert_null (hostile->source_url);
  g_assert_null (hostile->author);
  g_assert_cmpint (hostile->bytes, ==, -1);
}

/* An /albums answer: titles in the user's language when the server has
 * them (LANGUAGE=fa for this test), else its one title, else the folder's
 * name made readable; sub-albums keep their parent; what is not an album
 * is left out; what is not a list is an error. */
static void
test_albums_parse (void)
{
  static const char answer[] =
    "{\"status\":\"success\",\"count\":5,\"albums\":["
    "{\"name\":\"squares\",\"title\":null,\"title_by_language\":null,\"parent\":null,\"count\":6,"
    "\"sub_albums\":[\"small\"],\"cover\":\"http://h/static/img/squares/squares-1.png\"},"
    "{\"name\":\"squares/small\",\"title\":null,\"parent\":\"squares\",\"count\":2,\"cover\":null},"
    "{\"name\":\"dogs\",\"title\":\"Good Dogs\",\"title_by_language\":{\"fa\":\"سگ‌ها\"},\"count\":3},"
    "{\"name\":\"holiday_2024-summer\",\"title\":\"\",\"count\":-4,\"cover\":\"javascript:x\"},"
    "{\"title\":\"no name\"}, 7]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) albums = rndimg_albums_parse (answer, -1, &error);
  const RndimgAlbumInfo *squares, *small, *dogs, *holiday;
  g_autofree char *full = NULL, *unknown = NULL;
  g_autoptr(GPtrArray) not_list = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (albums->len, ==, 4);
  squares = g_ptr_array_index (albums, 0);
  small = g_ptr_array_index (albums, 1);
  dogs = g_ptr_array_index (albums, 2);
  holiday = g_ptr_array_index (albums, 3);
  g_assert_cmpstr (squares->title, ==, "Squares");
  g_assert_cmpuint (squares->count, ==, 6);
  g_assert_cmpstr (squares->cover_url, ==, "http://h/static/img/squares/squares-1.png");
  g_assert_null (squares->parent);
  g_assert_cmpstr (small->title, ==, "Small");
  g_assert_cmpstr (small->parent, ==, "squares");
  g_assert_null (small->cover_url);
  g_assert_cmpstr (dogs->title, ==, "سگ‌ها");
  g_assert_cmpstr (holiday->title, ==, "Holiday 2024 summer");
  g_assert_cmpuint (holiday->count, ==, 0);
  g_assert_null (holiday->cover_url);
  full = rndimg_album_full_title (albums, "squares/small");
  g_assert_cmpstr (full, ==, "Squares / Small");
  unknown = rndimg_album_full_title (NULL, "cats/big_ones");
  g_assert_cmpstr (unknown, ==, "Cats / Big ones");

  not_list = rndimg_albums_parse ("{\"status\":\"success\",\"albums\":{}}", -1, &error);
  g_assert_null (not_list);
  g_assert_nonnull (error);
}

/* Which variant a shown size needs: the smallest step of the ladder at
 * least that large; the original once the step is as large as the
 * picture or the ladder ends; a small growth asks for nothing new. */
static void
test_variant_side (void)
{
  g_assert_cmpuint (rndimg_variant_side_for (3000, 2000, 536), ==, 768);
  g_assert_cmpuint (rndimg_variant_side_for (3000, 2000, 560), ==, 768);
  g_assert_cmpuint (rndimg_variant_side_for (3000, 2000, 768.4), ==, 768);
  g_assert_cmpuint (rndimg_variant_side_for (3000, 2000, 1275), ==, 1536);
  g_assert_cmpuint (rndimg_variant_side_for (2000, 4000, 2500), ==, 3072);
  g_assert_cmpuint (rndimg_variant_side_for (3000, 2000, 3000), ==, 0);     /* 100 %: the file */
  g_assert_cmpuint (rndimg_variant_side_for (400, 400, 400), ==, 0);        /* a small picture: the file */
  g_assert_cmpuint (rndimg_variant_side_for (800, 600, 536), ==, 768);
  g_assert_cmpuint (rndimg_variant_side_for (9000, 6000, 5000), ==, 0);     /* past the ladder */
  g_assert_cmpuint (rndimg_variant_side_for (9000, 6000, 0), ==, 256);
  g_assert_cmpuint (rndimg_variant_side_for (0, 0, 900), ==, 1024);         /* size unknown */
  g_assert_cmpuint (rndimg_variant_side_for (0, 0, 4097), ==, 0);
}

/* The details' variant_version is kept when it is one (16 hex digits:
 * it goes into a URL path), from an event and from rndimg's "image". */
static void
test_answer_variant_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RndimgAnswer) event = rndimg_answer_parse (
    "{\"status\":\"success\",\"id\":3,\"message\":\"http://h/static/img/cats/c1.png\",\"name\":\"cats/c1.png\","
    "\"variant_version\":\"0123456789abcdef\"}", -1, &error);
  g_autoptr(RndimgAnswer) random = rndimg_answer_parse (
    "{\"status\":\"success\",\"message\":\"http://h/static/img/a.png\","
    "\"image\":{\"name\":\"a.png\",\"variant_version\":\"fedcba9876543210\"}}", -1, &error);
  g_autoptr(RndimgAnswer) copy = rndimg_answer_copy (random);
  const char *const wrong[] = { "null", "\"0123456789ABCDEF\"", "\"0123456789abcde\"", "\"../../../../x/y\"", "16" };

  g_assert_no_error (error);
  g_assert_cmpstr (event->variant_version, ==, "0123456789abcdef");
  g_assert_cmpstr (random->variant_version, ==, "fedcba9876543210");
  g_assert_cmpstr (copy->variant_version, ==, "fedcba9876543210");
  for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"status\":\"success\",\"message\":\"http://h/static/img/a.png\","
                                               "\"variant_version\":%s}", wrong[i]);
      g_autoptr(RndimgAnswer) answer = rndimg_answer_parse (json, -1, &error);

      g_assert_no_error (error);
      g_assert_null (answer->variant_version);
    }
}

/* The viewer's variant URL: with the version the canonical spelling (the
 * scale multiplied in, an album's '/' as %2F, the extension, fit=inside),
 * without it the short one the server redirects; never over 5000 px. */
static void
test_variant_url (void)
{
  static const struct {
    const char *url, *version;
    int width, height, scale;
    const char *expected;
  } cases[] = {
    { "http://h:5000/static/img/squares/small/squares-small-1.png", "0123456789abcdef", 300, 200, 2,
      "http://h:5000/img/squares%2Fsmall%2Fsquares-small-1.png/0123456789abcdef/600x400.png?fit=inside" },
    { "http://h:5000/static/img/squares/small/squares-small-1.png", NULL, 300, 200, 2,
      "http://h:5000/img/squares%2Fsmall%2Fsquares-small-1.png/300x200@2x.png?fit=inside" },
    { "https://pictures.example/static/img/portraits/p-2.jpg", "fedcba9876543210", 240, 300, 1,
      "https://pictures.example/img/portraits%2Fp-2.jpg/fedcba9876543210/240x300.jpg?fit=inside" },
    { "http://h:5000/static/img/023.png", NULL, 240, 300, 1, "http://h:5000/img/023.png/240x300.png?fit=inside" },
    { "http://h:5000/static/img/023.png", "not-a-version!!!", 240, 300, 3,
      "http://h:5000/img/023.png/240x300@3x.png?fit=inside" },
    { "http://h:5000/static/img/023.png", "0123456789abcdef", 4000, 100, 2,
      "http://h:5000/img/023.png/0123456789abcdef/5000x200.png?fit=inside" },
    { "http://h:5000/static/img/023.png", "0123456789abcdef", 100, 100, 7,
      "http://h:5000/img/023.png/0123456789abcdef/300x300.png?fit=inside" },
    { "http://h:5000/other/023.png", "0123456789abcdef", 100, 100, 1, NULL },
    { "http://h:5000/static/img/", "0123456789abcdef", 100, 100, 1, NULL },
    { "http://h:5000/static/img/023.png", "0123456789abcdef", 0, 100, 1, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = rndimg_client_variant_url (cases[i].url, cases[i].version, cases[i].width,
                                                        cases[i].height, cases[i].scale);

      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

/* A square thumbnail: cropped (fit=cover, the default, left out of the
 * canonical URL), the scale multiplied in. */
static void
test_thumbnail_url (void)
{
  g_autofree char *canonical = rndimg_client_thumbnail_url ("http://h:5000/static/img/cats/c1.jpg",
                                                            "0123456789abcdef", 32, 2);
  g_autofree char *short_url = rndimg_client_thumbnail_url ("http://h:5000/static/img/cats/c1.jpg", NULL, 32, 2);

  g_assert_cmpstr (canonical, ==, "http://h:5000/img/cats%2Fc1.jpg/0123456789abcdef/64x64.jpg");
  g_assert_cmpstr (short_url, ==, "http://h:5000/img/cats%2Fc1.jpg/32x32@2x.jpg");
}

/* One colour alone (1 x 1 components): every pixel is that colour. */
static void
test_blurhash_solid (void)
{
  g_autofree guint8 *rgb = rndimg_blurhash_decode ("005?}k", 4, 3);   /* #336699 */

  g_assert_nonnull (rgb);
  for (guint i = 0; i < 4 * 3; i++)
    {
      g_assert_cmpint (abs (rgb[i * 3] - 0x33), <=, 1);
      g_assert_cmpint (abs (rgb[i * 3 + 1] - 0x66), <=, 1);
      g_assert_cmpint (abs (rgb[i * 3 + 2] - 0x99), <=, 1);
    }
}

/* What the server's encoder wrote for data/img/01.png (GET images/01.png):
 * decoded, it averages near the picture's average colour and is not flat. */
static void
test_blurhash_server_vector (void)
{
  g_autofree guint8 *rgb = rndimg_blurhash_decode ("LSGTfz%x4EpGyUoeoyXO4Eba+jaz", 32, 32);
  guint8 average[3];
  double sum[3] = { 0, 0, 0 };
  guint distinct = 0;

  g_assert_nonnull (rgb);
  g_assert_true (rndimg_colour_parse ("#8eb29d", average));
  for (guint i = 0; i < 32 * 32; i++)
    {
      for (guint k = 0; k < 3; k++)
        sum[k] += rgb[i * 3 + k];
      if (i > 0 && memcmp (rgb + i * 3, rgb, 3) != 0)
        distinct++;
    }
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (fabs (sum[k] / (32 * 32) - average[k]), <, 20);
  g_assert_cmpuint (distinct, >, 100);
}

static void
test_blurhash_invalid (void)
{
  static const char *const bad[] = {
    "", "L", "00", "005?}", "005?}k0", "LSGTfz%x4EpGyUoeoyXO4Eba+ja", "005?}\"", "LSGTfz%x4EpGyUoeoyXO4Eba+j\x7f",
    "{05?}k", "LSGTfz~~4EpGyUoeoyXO4Eba+jaz",
  };
  guint8 rgb[3];

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("%s", bad[i]);
      g_assert_null (rndimg_blurhash_decode (bad[i], 8, 8));
    }
  g_assert_false (rndimg_colour_parse ("#12345", rgb));
  g_assert_false (rndimg_colour_parse ("#12345g", rgb));
  g_assert_false (rndimg_colour_parse (NULL, rgb));
  g_assert_true (rndimg_colour_parse ("#0a0B0c", rgb));
  g_assert_cmpint (rgb[1], ==, 11);
}

static void
test_answer_invalid (void)
{
  const struct { const char *json; int code; } cases[] = {
    { "not json at all", RNDIMG_ANSWER_ERROR_NOT_JSON },
    { "<html>502 Bad Gateway</html>", RNDIMG_ANSWER_ERROR_NOT_JSON },
    { "", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "[1,2,3]", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"status\":\"success\"}", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"message\":\"http://h/static/img/1.png\"}", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"status\":\"success\",\"message\":42}", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"status\":\"success\",\"message\":\"not a url\"}", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"status\":\"success\",\"message\":\"file:///etc/passwd\"}", RNDIMG_ANSWER_ERROR_WRONG_SHAPE },
    { "{\"status\":\"error\",\"message\":\"no such endpoint\"}", RNDIMG_ANSWER_ERROR_SERVER },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RndimgAnswer) answer = rndimg_answer_parse (cases[i].json, -1, &error);

      g_assert_null (answer);
      g_assert_error (error, RNDIMG_ANSWER_ERROR, cases[i].code);
      g_assert_cmpuint (strlen (error->message), >, 0);
    }
}

static void
test_backoff (void)
{
  RndimgBackoff backoff;
  guint previous_ceiling = 0;

  rndimg_backoff_init (&backoff, 1000, 30000, 42);
  for (guint attempt = 0; attempt < 12; attempt++)
    {
      guint ceiling = MIN (30000u, 1000u << MIN (attempt, 10u));
      guint delay = rndimg_backoff_next (&backoff);

      g_assert_cmpuint (delay, >=, ceiling / 2);
      g_assert_cmpuint (delay, <=, ceiling);
      g_assert_cmpuint (ceiling, >=, previous_ceiling);
      previous_ceiling = ceiling;
    }
  rndimg_backoff_reset (&backoff);
  g_assert_cmpuint (rndimg_backoff_next (&backoff), <=, 1000);
  rndimg_backoff_clear (&backoff);
}

static void
test_backoff_jitter (void)
{
  RndimgBackoff a, b;
  gboolean differ = FALSE;

  rndimg_backoff_init (&a, 1000, 30000, 1);
  rndimg_backoff_init (&b, 1000, 30000, 2);
  for (int i = 0; i < 6; i++)
    differ |= rndimg_backoff_next (&a) != rndimg_backoff_next (&b);
  g_assert_true (differ);
  rndimg_backoff_clear (&a);
  rndimg_backoff_clear (&b);
}

/* ---- the live follower against fake servers ---- */

typedef struct {
  SoupServer *server;
  char *url;
  const char *mode;
  guint requests;             /* to the push endpoint */
  GPtrArray *last_event_ids;  /* the Last-Event-ID header of each SSE request ("" when none) */
  GPtrArray *received;        /* names of the pictures the follower handed on */
} Fake;

#define FAKE_EVENT(id) "{\"status\":\"success\",\"id\":" #id ",\"message\":\"http://127.0.0.1:1/static/img/0" #id ".png\"}"

static void
answer_text (SoupServerMessage *msg, guint status, const char *type, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, body, strlen (body));
}

/* An nchan-like SSE server: 403 without Accept: text/event-stream; events
 * of the default type with stream ids unlike the JSON ids; it closes the
 * stream after each answer, so the follower must reconnect; from the
 * third connection on it sends again the event the client has. */
static void
fake_sse (Fake *fake, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *accept = soup_message_headers_get_one (headers, "Accept");
  const char *last = soup_message_headers_get_one (headers, "Last-Event-ID");

  if (accept == NULL || strstr (accept, "text/event-stream") == NULL)
    {
      answer_text (msg, 403, "text/plain", "no Accept: text/event-stream");
      return;
    }
  g_ptr_array_add (fake->last_event_ids, g_strdup (last ? last : ""));
  if (last == NULL)
    answer_text (msg, 200, "text/event-stream", "retry: 50\nid: stream-a\ndata: " FAKE_EVENT (7) "\n\n");
  else if (g_str_equal (last, "stream-a"))
    answer_text (msg, 200, "text/event-stream", "id: stream-b\ndata: " FAKE_EVENT (8) "\n\n");
  else   /* a server that replays what the client has */
    answer_text (msg, 200, "text/event-stream", "id: stream-b\ndata: " FAKE_EVENT (8) "\n\n");
}

/* A long-poll server without /stats that answers every poll at once with
 * the same event. */
static void
fake_repeating_poll (Fake *fake, SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", "\"1\"");
  answer_text (msg, 200, "application/json", FAKE_EVENT (5));
}

static void
on_fake_request (SoupServer *server, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer user_data)
{
  Fake *fake = user_data;

  if (g_str_equal (path, RNDIMG_API_PREFIX "/events"))
    {
      fake->requests++;
      fake_sse (fake, msg);
    }
  else if (g_str_equal (path, RNDIMG_API_PREFIX "/rndimg/poll"))
    {
      fake->requests++;
      fake_repeating_poll (fake, msg);
    }
  else
    answer_text (msg, 404, "text/html", "<h1>Not Found</h1>");
}

static void
fake_start (Fake *fake)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->server = soup_server_new (NULL, NULL);
  fake->last_event_ids = g_ptr_array_new_with_free_func (g_free);
  fake->received = g_ptr_array_new_with_free_func (g_free);
  soup_server_add_handler (fake->server, NULL, on_fake_request, fake, NULL);
  g_assert_true (soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fake_stop (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_free (fake->url);
  g_ptr_array_unref (fake->last_event_ids);
  g_ptr_array_unref (fake->received);
}

static void
on_live_event (RndimgLive *live, RndimgAnswer *answer, gpointer user_data)
{
  g_ptr_array_add (((Fake *) user_data)->received, g_strdup (answer->name));
}

static gboolean
two_received (gpointer user_data)
{
  return ((Fake *) user_data)->received->len >= 2;
}

static RndimgLive *
follow (Fake *fake, RndimgTransport transport, RndimgClient **client)
{
  RndimgLive *live;

  *client = rndimg_client_new (fake->url);
  live = rndimg_live_new (*client, transport);
  g_signal_connect (live, "event", G_CALLBACK (on_live_event), fake);
  rndimg_live_start (live);
  return live;
}

/* Accept: text/event-stream is sent, "message" events are taken, the
 * reconnect resumes from the stream's own id: field, not the JSON id, and
 * an event sent again is not handed on again. */
static void
test_live_plain_sse (void)
{
  Fake fake = { 0 };
  g_autoptr(RndimgClient) client = NULL;
  g_autoptr(RndimgLive) live = NULL;

  fake_start (&fake);
  live = follow (&fake, RNDIMG_TRANSPORT_SSE, &client);
  if (!test_wait_until (two_received, &fake, 8000))
    g_error ("expected two events from a plain SSE server, got %u over %u requests (reason: %s)",
             fake.received->len, fake.requests, rndimg_live_get_reason (live));
  g_assert_cmpstr (g_ptr_array_index (fake.received, 0), ==, "07.png");
  g_assert_cmpstr (g_ptr_array_index (fake.received, 1), ==, "08.png");
  g_assert_cmpstr (g_ptr_array_index (fake.last_event_ids, 0), ==, "");
  g_assert_cmpstr (g_ptr_array_index (fake.last_event_ids, 1), ==, "stream-a");
  /* The replays are dropped, and the reconnects are backed off. */
  test_run_for (3000);
  g_assert_cmpuint (fake.received->len, ==, 2);
  g_assert_cmpuint (fake.last_event_ids->len, >=, 3);
  g_assert_cmpuint (fake.last_event_ids->len, <=, 6);
  g_assert_cmpstr (g_ptr_array_index (fake.last_event_ids, 2), ==, "stream-b");
  rndimg_live_stop (live);
  fake_stop (&fake);
}

/* A long-poll server that repeats the same event at once, and has no
 * /stats: the event is handed on once and the follower backs off instead
 * of asking thousands of times. */
static void
test_live_long_poll_never_spins (void)
{
  Fake fake = { 0 };
  g_autoptr(RndimgClient) client = NULL;
  g_autoptr(RndimgLive) live = NULL;

  fake_start (&fake);
  live = follow (&fake, RNDIMG_TRANSPORT_LONG_POLL, &client);
  test_run_for (3000);
  g_assert_cmpint (rndimg_live_get_state (live), ==, RNDIMG_LIVE_CONNECTED);
  g_assert_cmpuint (fake.received->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake.received, 0), ==, "05.png");
  if (fake.requests > 8)
    g_error ("expected at most 8 polls in 3 s from a server that repeats itself, got %u", fake.requests);
  g_assert_cmpuint (fake.requests, >=, 2);
  rndimg_live_stop (live);
  fake_stop (&fake);
}

static gboolean
failed_twice (gpointer user_data)
{
  return rndimg_live_get_failed_attempts (user_data) >= 2;
}

/* Nobody listens: Live says it reconnects, when it tries next (in the
 * future, within the backoff's ceiling), and counts the attempts that
 * failed in a row; Retry Now tries at once. */
static void
test_live_unreachable (void)
{
  g_autoptr(RndimgClient) client = rndimg_client_new ("http://127.0.0.1:9");   /* discard: nobody listens */
  g_autoptr(RndimgLive) live = rndimg_live_new (client, RNDIMG_TRANSPORT_SSE);
  gint64 retry;
  guint failed;

  rndimg_live_start (live);
  g_assert_true (test_wait_until (failed_twice, live, 10000));
  g_assert_cmpint (rndimg_live_get_state (live), ==, RNDIMG_LIVE_RECONNECTING);
  g_assert_nonnull (strstr (rndimg_live_get_reason (live), "refused"));
  retry = rndimg_live_get_retry_time (live);
  g_assert_cmpint (retry, >, g_get_monotonic_time ());
  g_assert_cmpint (retry, <=, g_get_monotonic_time () + 30 * G_USEC_PER_SEC);
  failed = rndimg_live_get_failed_attempts (live);
  rndimg_live_retry_now (live);
  g_assert_cmpint (rndimg_live_get_retry_time (live), ==, 0);
  g_assert_true (test_wait_until (failed_twice, live, 100));   /* still failed: the count is kept */
  test_run_for (300);
  g_assert_cmpuint (rndimg_live_get_failed_attempts (live), ==, failed + 1);
  rndimg_live_stop (live);
  g_assert_cmpint (rndimg_live_get_retry_time (live), ==, 0);
}

int
main (int argc, char **argv)
{
  /* The album titles in Persian when the server has them. */
  g_setenv ("LANGUAGE", "fa", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/basic", test_sse_basic);
  g_test_add_func ("/sse/multi-line-data", test_sse_multi_line_data);
  g_test_add_func ("/sse/comments", test_sse_comments);
  g_test_add_func ("/sse/line-endings", test_sse_line_endings);
  g_test_add_func ("/sse/split-chunks", test_sse_split_chunks);
  g_test_add_func ("/sse/edge-cases", test_sse_edge_cases);
  g_test_add_func ("/sse/bounded", test_sse_bounded);
  g_test_add_func ("/sse/nul", test_sse_nul);
  g_test_add_func ("/live/plain-sse", test_live_plain_sse);
  g_test_add_func ("/live/long-poll-never-spins", test_live_long_poll_never_spins);
  g_test_add_func ("/live/unreachable", test_live_unreachable);
  g_test_add_func ("/answer/valid", test_answer_valid);
  g_test_add_func ("/answer/invalid", test_answer_invalid);
  g_test_add_func ("/answer/event-alt", test_answer_event_alt);
  g_test_add_func ("/answer/variant-version", test_answer_variant_version);
  g_test_add_func ("/answer/properties", test_answer_properties);
  g_test_add_func ("/albums/parse", test_albums_parse);
  g_test_add_func ("/client/variant-url", test_variant_url);
  g_test_add_func ("/client/thumbnail-url", test_thumbnail_url);
  g_test_add_func ("/client/variant-side", test_variant_side);
  g_test_add_func ("/blurhash/solid", test_blurhash_solid);
  g_test_add_func ("/blurhash/server-vector", test_blurhash_server_vector);
  g_test_add_func ("/blurhash/invalid", test_blurhash_invalid);
  g_test_add_func ("/backoff/doubles-to-a-ceiling", test_backoff);
  g_test_add_func ("/backoff/jitter", test_backoff_jitter);

  return g_test_run ();
}
