"""``leadloop report``: the feedback as data (:mod:`.model`), terminal tables (:mod:`.terminal`)
and a self-contained HTML page with charts (:mod:`.html`, :mod:`.charts`)."""
