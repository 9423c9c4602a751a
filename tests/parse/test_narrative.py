import pytest

from govreports.parse.narrative import narrative_checks, stated_figures


@pytest.mark.parametrize("text, figures", [
    ("2023年收到依申请公开3次并依法及时回复", [3]),
    ("2023年线上线下收到依申请公开件71件,共办理完成71件", [71]),
    ("2020年,共受理政府信息公开申请共0件,行政诉讼0件。", [0]),
    ("全年收到咨询投诉件9件", []),
])
def test_stated_applications(text, figures):
    assert stated_figures(text, "applications_received") == figures


def test_narrative_check_passes_on_new_or_new_plus_carried_over():
    values = {"table3.new_received.total": 70, "table3.carried_over.total": 1}
    assert narrative_checks("共收到政府信息公开申请71件", values)[0].passed is True
    assert narrative_checks("共收到政府信息公开申请70件", values)[0].passed is True
    check = narrative_checks("共收到政府信息公开申请75件", values)[0]
    assert (check.passed, check.lhs_value, check.rhs_value) == (False, 75, 70)


def test_no_statement_no_check():
    assert narrative_checks("本年度工作顺利", {"table3.new_received.total": 3}) == ()
