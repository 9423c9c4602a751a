"""Chinese vocabulary of a report's scope: the agency's own work, or a summary of a jurisdiction.

A jurisdiction-wide report (汇总 report) adds up many agencies' work: the government office of a
place publishes "XX市2023年政府信息公开工作年度报告", compiled from its departments' reports, or
states the figures of the whole place (全区收到政府信息公开申请75件). Used by
:mod:`govreports.parse.scope`; text reaching these patterns is NFKC-normalised and simplified
(commas are ASCII ``,``). Each pattern stops at a sentence end.
"""

from govreports.template.metadata_terms import ZONE_SUFFIX

# The units a summary is compiled from: "各有关单位", "各相关部门", "各乡镇人民政府", "各区县".
_MEMBERS = r"各[^。;]{0,12}?(?:单位|部门|乡镇|街道|机关|区县|县区|县市区|县\(市、区\)|区\(县\))"

# The report says it was compiled from its members' work or reports (国办公开办函 wording):
# "汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成", "根据…平潭县各相关部门、
# 平潭县各乡镇人民政府的政府信息公开年度报告编制", "由各部门年度报告汇总而成".
COMPILED, COMPILING = "汇总", "编制"  # every pattern below holds one of the two
COMPILED_FROM_MEMBERS = (
    rf"汇总[^。;]{{0,40}}?{_MEMBERS}[^。;]{{0,40}}?编制",
    rf"{_MEMBERS}[^。;]{{0,40}}?(?:年度报告|年报)[^。;]{{0,12}}?(?:汇总|编制)",
)

# An applications figure stated in a sentence: "申请75件", "申请 749 件". Who received them is
# read in the words just before it (``STATED_WINDOW`` characters): the whole place, or the agency.
APPLICATION = "申请"
FIGURE_STATED = r"申请[^。;,\d]{0,4}\d"  # matched where APPLICATION is found
STATED_WINDOW = 32
_RECEIVED = r"(?:收到|受理|新收|接收|办理)"

# The whole place's applications: "全区收到政府信息公开申请75件", "全县全年共受理政府信息公开申请 749 件".
WHOLE_PLACE_BEFORE = rf"全(?:省|市|州|盟|区|县|旗)[^。;,]{{0,8}}?{_RECEIVED}[^。;,]{{0,12}}?$"

# The agency's own applications: "本机关共收到政府信息公开申请12件", "我局受理…申请".
OWN_BEFORE = (
    rf"(?:本机关|本单位|本部门|我局|本局|我委|本委|我办|本办|我厅|本厅|我中心|本中心)[^。;,]{{0,8}}?"
    rf"{_RECEIVED}[^。;,]{{0,12}}?$"
)

# Titles of documents (《…》) are cut before matching: a notice "关于做好各单位年度报告编制工作的
# 通知" says nothing about this report's scope.
DOCUMENT_TITLE = r"《[^》]{0,120}》"

# A zone named alone, with nothing after it: the title names a place, not an agency.
ZONE_ALONE = rf"^[^\s]{{2,12}}?{ZONE_SUFFIX}$"

# A development zone's administrative committee, the zone's government: "平潭综合实验区管委会" is
# the agency "平潭综合实验区" (build.rows.agency_id).
ZONE_COMMITTEE = r"(?:党工委管理委员会|党工委管委会|管理委员会|管委会)"
