/* SPDX-License-Identifier: MIT */
#pragma once

#include "rndimg-exchange.h"

#include "rndimg-catalogue.h"
#include "rndimg-credentials.h"
#include "rndimg-url-signer.h"

G_BEGIN_DECLS

/* Who may load a picture's bytes (the file, its variants). */
typedef struct {
  RndimgCatalogue *catalogue;
  RndimgCredentials *credentials;
  RndimgUrlSigner *signer;
} RndimgPictureGate;

/* How a private picture's bytes were let through. */
typedef struct {
  RndimgAccess *access;     /* the request's credential (owned); never NULL once through */
  gint64 signed_until;      /* a signed URL: its expiry (Unix seconds); 0: none */
  char *signature;          /* a signed URL: "expires=...&sig=..." as it came; NULL: none */
} RndimgPicturePass;

void           rndimg_picture_pass_clear   (RndimgPicturePass *pass);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RndimgPicturePass, rndimg_picture_pass_clear)

RndimgPicture *rndimg_picture_gate_open    (RndimgPictureGate *gate,
                                            RndimgExchange *exchange,
                                            const char        *name,
                                            RndimgPicturePass *pass);
char          *rndimg_picture_gate_strip_query (const char    *raw_query);
void           rndimg_picture_gate_cache_control (RndimgExchange *exchange,
                                                  const RndimgPicture *image,
                                                  const RndimgPicturePass *pass,
                                                  const char        *public_value);

G_END_DECLS
