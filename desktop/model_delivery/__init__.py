"""Model delivery: signed releases from the lab's registry, verified, installed beside the bundled model."""
