/* SPDX-License-Identifier: MIT */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  RNDIMG_SIGNATURE_VALID,
  RNDIMG_SIGNATURE_EXPIRED,
  RNDIMG_SIGNATURE_WRONG,      /* altered, or signed with a key no longer kept */
  RNDIMG_SIGNATURE_MALFORMED,  /* not an expiry and a signature at all */
} RndimgSignatureCheck;

typedef struct _RndimgUrlSigner RndimgUrlSigner;

RndimgUrlSigner     *rndimg_url_signer_new    (guint             lifetime_seconds);
void                 rndimg_url_signer_free   (RndimgUrlSigner  *self);
gboolean             rndimg_url_signer_load   (RndimgUrlSigner  *self,
                                               const char       *path,
                                               gboolean          create,
                                               GError          **error);
gint64               rndimg_url_signer_expiry (RndimgUrlSigner  *self,
                                               gint64            now_seconds);
char                *rndimg_url_signer_sign   (RndimgUrlSigner  *self,
                                               const char       *name,
                                               gint64            expires);
char                *rndimg_url_signer_query  (RndimgUrlSigner  *self,
                                               const char       *name,
                                               gint64            now_seconds);
RndimgSignatureCheck rndimg_url_signer_check  (RndimgUrlSigner  *self,
                                               const char       *name,
                                               const char       *expires,
                                               const char       *signature,
                                               gint64            now_seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RndimgUrlSigner, rndimg_url_signer_free)

G_END_DECLS
