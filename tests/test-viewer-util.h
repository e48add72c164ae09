/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-test-util.h"
#include "rndimg-viewer-window-private.h"

G_BEGIN_DECLS

void                 viewer_test_init        (int                 *argc,
                                              char              ***argv);
gboolean             viewer_test_is_persian  (void);

RndimgViewerWindow  *open_window             (const char          *server_url);
RndimgViewerWindow  *open_window_with        (const char          *server_url,
                                              RndimgTransport      transport);
RndimgViewerWindow  *open_window_sized       (const char          *server_url,
                                              int                  width,
                                              int                  height);
TestServer          *start_server            (const char          *folder,
                                              const char          *port);
void                 wait_for                (RndimgViewerWindow  *window,
                                              RndimgViewerState    state,
                                              const char          *name,
                                              const char          *problem_part,
                                              guint                timeout_ms);
void                 settle                  (void);
void                 screenshot              (RndimgViewerWindow  *window,
                                              const char          *name,
                                              guint                min_colours);
void                 screenshot_widget       (GtkWidget           *widget,
                                              const char          *name,
                                              guint                min_colours);
void                 press_key               (RndimgViewerWindow  *window,
                                              guint                keyval,
                                              GdkModifierType      modifiers);
void                 set_live                (RndimgViewerWindow  *window,
                                              gboolean             on);
void                 assert_picture_size     (RndimgViewerWindow  *window,
                                              int                  width,
                                              int                  height);
void                 assert_caption_has      (RndimgViewerWindow  *window,
                                              const char          *part);
void                 assert_described_as     (RndimgViewerWindow  *window,
                                              const char          *alt);
GtkWidget           *find_widget             (GtkWidget           *widget,
                                              GType                type);
GtkWidget           *find_label_with_text    (GtkWidget           *widget,
                                              const char          *text);
void                 wait_for_paintable_width (RndimgViewerWindow *window,
                                              int                  width);

RndimgViewerAlbumPicker *picker_of           (RndimgViewerWindow  *window);
void                 wait_for_albums         (RndimgViewerWindow  *window,
                                              guint                count,
                                              guint                timeout_ms);
void                 choose_album            (RndimgViewerWindow  *window,
                                              const char          *album);

GPtrArray           *viewer_requests         (const char          *log_path,
                                              const char          *method,
                                              const char          *prefix);

G_END_DECLS
