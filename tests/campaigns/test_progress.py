from outcry.campaigns.progress import milestones, progress


def test_no_goal_no_bar():
    assert progress(50, 0) is None


def test_first_action_aims_at_a_small_first_milestone():
    # 2 of 15,000 was 0% of the bar; against the first milestone it is a fifth.
    p = progress(2, 15000)
    assert (p.target, p.percent, p.goal_reached, p.is_milestone) == (10, 20, False, True)


def test_milestones_climb_to_the_goal():
    assert milestones(15000) == [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
    assert milestones(10) == []
    assert progress(10000, 15000).target == 15000
    assert not progress(10000, 15000).is_milestone


def test_before_goal_aims_at_next_milestone():
    p = progress(50, 200)
    assert (p.target, p.percent, p.goal_reached) == (100, 50, False)
    assert progress(150, 200).target == 200


def test_near_goal_is_measured_against_the_goal_not_the_milestone():
    assert not progress(9, 15000).near_goal
    assert progress(13500, 15000).near_goal
    assert not progress(15000, 15000).near_goal


def test_past_goal_moves_up_the_ladder_and_never_exceeds_100():
    p = progress(280, 200)
    assert (p.target, p.percent, p.goal_reached) == (400, 70, True)
    assert progress(200, 200).target == 400
    assert progress(10**9, 200).percent == 100
