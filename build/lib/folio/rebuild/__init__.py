"""What makes a rebuild fast and safe.

``cache`` keeps each stage's results under a digest of all they depend on;
``fingerprint`` tells when the edition's files changed; ``changes`` reports what moved
against the last build; ``watch`` rebuilds on every save.
"""
