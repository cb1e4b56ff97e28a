from __future__ import annotations

from dataclasses import dataclass

# Below the goal the bar aims at the next small milestone (10, 25, 50, 100, 250, …), so the first action
# already fills a visible part of it: 2 of a 15,000 goal is invisible, 2 of 10 is a fifth.
MILESTONE_STEPS = (1, 2.5, 5)
FIRST_MILESTONE = 10
# Once a goal is passed the bar aims at the next rung, so a page never reads "140% complete".
LADDER = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class Progress:
    count: int
    goal: int
    target: int
    percent: int
    goal_reached: bool
    goal_percent: int = 0

    @property
    def is_milestone(self) -> bool:
        """The bar aims at a step on the way, not at the goal itself."""
        return self.target < self.goal

    @property
    def near_goal(self) -> bool:
        return not self.goal_reached and self.goal_percent >= 90


def milestones(goal: int) -> list[int]:
    """The steps below the goal, smallest first: 10, 25, 50, 100, 250, … while under the goal."""
    steps: list[int] = []
    scale = FIRST_MILESTONE
    while True:
        for step in MILESTONE_STEPS:
            value = int(scale * step)
            if value >= goal:
                return steps
            steps.append(value)
        scale *= 10


def progress(count: int, goal: int) -> Progress | None:
    if goal <= 0:
        return None
    rungs = [*milestones(goal), *(goal * rung for rung in LADDER)]
    target = next((rung for rung in rungs if rung > count), goal * LADDER[-1])
    percent = min(100, count * 100 // target)
    return Progress(
        count=count, goal=goal, target=target, percent=percent, goal_reached=count >= goal,
        goal_percent=min(100, count * 100 // goal),
    )
