"""The stage clock benchmarks use as progress: every stage timed, statements counted per stage."""

from tools.progress import StageClock


def test_statements_count_toward_the_current_stage_and_a_repeated_stage_accumulates() -> None:
    clock = StageClock()
    clock.statement()  # before any stage: counted nowhere
    clock.stage("plan")
    clock.statement()
    clock.stage("queue")
    clock.statement()
    clock.statement()
    clock.stage("plan")
    clock.statement()
    clock.finish()
    clock.statement()  # after the last stage: counted nowhere
    assert clock.statements == {"plan": 2, "queue": 2}
    assert set(clock.seconds) == {"plan", "queue"} and all(s >= 0 for s in clock.seconds.values())
