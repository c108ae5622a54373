"""One run from its settings: the settings (:mod:`.config`, in the parts of :mod:`.settings`), the
per-target presets (:mod:`.presets`), the command-line options generated from the parts
(:mod:`.options`), and the objects built from them (:mod:`.build`)."""
