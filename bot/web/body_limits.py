"""How big a request body may be, refused by ``BodyLimitMiddleware`` before it is read.

One place for the sizes, so that the middleware, the routes' documentation and the
tests agree. Each name says which bodies it limits.
"""

from __future__ import annotations

# Every body not named below: our forms (sign-in, the reset page) and the JSON of the
# console's and the workbench's APIs are a few short fields; anything bigger is refused.
DEFAULT_BODY_BYTES = 4096
# A message of 2,000 characters (``POST /chat``, the console's assistant) is 8 KB at most in
# UTF-8 for French text, JSON included.
MESSAGE_BODY_BYTES = 8 * 1024
