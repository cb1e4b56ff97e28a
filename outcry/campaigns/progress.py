from __future__ import annotations

from dataclasses import dataclass

# Once a goal is passed the bar aims at the next rung, so a page never reads "140% complete".
LADDER = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class Progress:
    count: int
    goal: int
    target: int
    percent: int
    goal_reached: bool


def progress(count: int, goal: int) -> Progress | None:
    if goal <= 0:
        return None
    target = next((goal * rung for rung in LADDER if goal * rung > count), goal * LADDER[-1])
    percent = min(100, count * 100 // target)
    return Progress(count=count, goal=goal, target=target, percent=percent, goal_reached=count >= goal)
