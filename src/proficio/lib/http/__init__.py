"""HTTP hardening every page and endpoint shares: body size limits, response headers, session
lifetimes and the sign-in lockout page. Each middleware's place in settings.MIDDLEWARE matters
and is explained there."""
