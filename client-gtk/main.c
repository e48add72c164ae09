/* SPDX-License-Identifier: MIT */
/* rndimg-viewer: a GTK4 viewer for an rndimg server. */
#include <glib/gi18n.h>
#include <locale.h>

#include "rndimg-viewer-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(RndimgViewerApplication) application = NULL;

  setlocale (LC_ALL, "");
  g_set_application_name ("rndimg viewer");
  application = rndimg_viewer_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
