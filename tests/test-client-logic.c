/* SPDX-License-Identifier: MIT */
/* The viewer's logic without widgets: SSE parser, answer parser, backoff. */
#include <string.h>

#include "rndimg-answer.h"
#include "rndimg-backoff.h"
#include "rndimg-sse-parser.h"

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
    rndimg_sse_parser_feed (parser, text + offset, MIN (piece, length - offset));
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
  rndimg_sse_parser_feed (parser, "\nid: 9\n\n", 8);
  g_assert_cmpuint (events.data->len, ==, 1);
  rndimg_sse_parser_feed (parser, "data: half", 10);
  rndimg_sse_parser_reset (parser);
  rndimg_sse_parser_feed (parser, "\n\n", 2);
  g_assert_cmpuint (events.data->len, ==, 1);
  g_assert_cmpstr (rndimg_sse_parser_get_last_event_id (parser), ==, "9");
  /* An empty event (no data) dispatches nothing. */
  rndimg_sse_parser_feed (parser, "event: image\n\n", 14);
  g_assert_cmpuint (events.data->len, ==, 1);
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
                               "\"name\":\"a.png\",\"published_at\":\"2026-11-24T14:00:00Z\",\"source\":\"timer\"}",
                               -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->id, ==, 12);
  g_assert_cmpstr (event->source, ==, "timer");
  g_assert_cmpstr (event->published_at, ==, "2026-11-24T14:00:00Z");
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/basic", test_sse_basic);
  g_test_add_func ("/sse/multi-line-data", test_sse_multi_line_data);
  g_test_add_func ("/sse/comments", test_sse_comments);
  g_test_add_func ("/sse/line-endings", test_sse_line_endings);
  g_test_add_func ("/sse/split-chunks", test_sse_split_chunks);
  g_test_add_func ("/sse/edge-cases", test_sse_edge_cases);
  g_test_add_func ("/answer/valid", test_answer_valid);
  g_test_add_func ("/answer/invalid", test_answer_invalid);
  g_test_add_func ("/backoff/doubles-to-a-ceiling", test_backoff);
  g_test_add_func ("/backoff/jitter", test_backoff_jitter);

  return g_test_run ();
}
