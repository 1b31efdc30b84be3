"""Every string the page modules show, translated on the server and handed to the JS.

Templates render these into ``<script type="application/json" id="i18n">``; the modules
read them with ``t(key)`` from ``static/js/i18n.js``. Add a key here before using it in JS.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

JS_STRINGS = {
    "sending": _l("Sending…"),
    "connection_lost": _l("Connection lost — reconnecting…"),
    "back_online": _l("Back online"),
}


def js_strings() -> dict[str, str]:
    """The strings in the current locale."""
    return {key: str(value) for key, value in JS_STRINGS.items()}
