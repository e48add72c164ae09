/* SPDX-License-Identifier: MIT */
/* Where the API lives: every route the server answers, every call the
 * viewer makes and every path the tests ask for starts with this. The
 * web page keeps its own copy, the one constant in web/js/api.js. */
#pragma once

#define RNDIMG_API_PREFIX "/polling/api/v1.0"
