from outcry.campaigns.progress import progress


def test_no_goal_no_bar():
    assert progress(50, 0) is None


def test_before_goal_aims_at_goal():
    p = progress(50, 200)
    assert (p.target, p.percent, p.goal_reached) == (200, 25, False)


def test_past_goal_moves_up_the_ladder_and_never_exceeds_100():
    p = progress(280, 200)
    assert (p.target, p.percent, p.goal_reached) == (400, 70, True)
    assert progress(200, 200).target == 400
    assert progress(10**9, 200).percent == 100
