"""How the engine's property tests draw their examples: PROPERTY_EXAMPLES of them (60 unless
the environment says otherwise), no deadline (a scenario files and approves reports), and the
function-scoped fixtures (the gazetteer, the partner, the moderator) shared across examples,
each example in a transaction rolled back."""

import os

from hypothesis import HealthCheck, settings

engine_examples = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
