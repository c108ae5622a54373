"""One run from its settings: the settings (:mod:`.config`), the per-target presets
(:mod:`.presets`), and the objects built from them (:mod:`.build`)."""
