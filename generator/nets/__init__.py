"""The networks and maps of a run: generators G_θ (:mod:`.generators`), fixed feature maps φ
(:mod:`.features`), network discriminators and their input maps (:mod:`.discriminators`), the
discriminator's tangent kernel (:mod:`.ntk`, SPEC 7), and the default dtype and device checks
(:mod:`.device`)."""
