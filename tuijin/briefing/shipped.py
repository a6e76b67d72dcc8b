# ruff: noqa: E501 - a template paragraph is one line of text
"""The briefing templates tuijin ships: `monthly` (the monthly briefing) and `weekly` (the weekly one).

The migration 0002 seeds them; `ensure_shipped()` puts back one that is missing (a flushed test database, a
deleted row) and never touches one that exists — the office's edits stay.
"""

from __future__ import annotations

MONTHLY_TITLE = "{{ region.name }}重点项目建设工作简报"

MONTHLY_TEXT = """\
= {{ date.year }}年{{ date.month }}月份{{ region.scope }}重点项目建设进展情况
{{ date.month }}月份，{{ region.scope }}上下认真落实“一个项目、一名领导、一个清单、一套方案、一抓到底”工作机制，坚持挂图作战、倒排工期、逐月调度，推动“三个一批”项目建设取得新进展。现将有关情况通报如下。
# 一、“三个一批”项目总体情况
{% with t=ledger.total s=ledger.batches.signed b=ledger.batches.started p=ledger.batches.production %}截至{{ date.cut }}，{{ region.scope }}“三个一批”项目共{{ t.count }}个，总投资{{ t.total_investment|yi }}亿元，{{ date.year }}年计划投资{{ t.annual_plan|yi }}亿元。其中，签约一批项目{{ s.count }}个、总投资{{ s.total_investment|yi }}亿元，开工一批项目{{ b.count }}个、总投资{{ b.total_investment|yi }}亿元，投产一批项目{{ p.count }}个、总投资{{ p.total_investment|yi }}亿元。
从推进情况看，开工一批项目已开工{{ b.started }}个，开工率{{ ledger.rates.start_rate|pct }}；投产一批项目已投产{{ p.in_production }}个，投产率{{ ledger.rates.production_rate|pct }}，已达效{{ p.effective }}个，达效率{{ ledger.rates.effective_rate|pct }}；签约一批项目已开工{{ s.started }}个。{% endwith %}
[[table:campaign_batches]]
# 二、项目投资完成情况
{% with t=investment.total %}{{ investment.year }}年1—{{ investment.through_month }}月，{{ region.scope }}纳入统计的{{ t.projects }}个项目累计完成投资{{ t.invested_to_date|yi }}亿元，占年度计划{{ t.annual_plan|yi }}亿元的{{ t.completion_rate|pct }}，{{ t.gap_points|gap }}（序时进度{{ investment.elapsed }}%）。经预判，全年预计完成投资{{ t.forecast_year_end|yi }}亿元，{{ t.risk.at_risk }}个项目存在完不成年度计划的风险，{{ t.risk.off_track }}个项目预计明显完不成年度计划。{% endwith %}
{% with s=investment.batches.signed b=investment.batches.started p=investment.batches.production %}分批次看，签约一批项目完成投资{{ s.invested_to_date|yi }}亿元、完成率{{ s.completion_rate|pct }}，开工一批项目完成投资{{ b.invested_to_date|yi }}亿元、完成率{{ b.completion_rate|pct }}，投产一批项目完成投资{{ p.invested_to_date|yi }}亿元、完成率{{ p.completion_rate|pct }}。{% endwith %}
{% if region.level == "county" %}{% if investment.units_behind %}投资完成率低于序时进度的责任单位有{{ investment.units_behind|length }}个：{% for u in investment.units_behind %}{{ u.label }}（{{ u.completion_rate|pct }}）{% if not forloop.last %}、{% endif %}{% endfor %}。{% else %}各责任单位投资完成率均达到序时进度。{% endif %}{% elif investment.regions_behind %}投资完成率低于序时进度的地区有{{ investment.regions_behind|length }}个：{% for g in investment.regions_behind %}{{ g.label }}（{{ g.completion_rate|pct }}）{% if not forloop.last %}、{% endif %}{% endfor %}。{% else %}各地区投资完成率均达到序时进度。{% endif %}
[[chart:investment_monthly]]
{% if region.level == "county" %}[[table:investment_by_unit]]{% else %}[[table:investment_by_region]]{% endif %}
# 三、项目节点预警情况
{% if warnings.red or warnings.yellow %}按照倒排工期计划，截至{{ date.cn }}，{{ region.scope }}共有预警节点{{ warnings.red|add:warnings.yellow }}个，涉及项目{{ warnings.projects }}个。其中，红色预警节点{{ warnings.red }}个，涉及项目{{ warnings.red_projects }}个；黄色预警节点{{ warnings.yellow }}个。{% else %}按照倒排工期计划，截至{{ date.cn }}，{{ region.scope }}无预警节点。{% endif %}
{% if warnings.red_units %}红色预警节点较多的责任单位：{% for u in warnings.red_units|slice:":5" %}{{ u.name }}{{ u.red }}个{% if not forloop.last %}、{% endif %}{% endfor %}。请相关责任单位对照节点计划，倒排工期、挂图作战，确保滞后节点尽快销号。{% endif %}
{% if warnings.red_items %}[[table:red_warnings]]{% endif %}
# 四、协调推进情况
{% with c=coordination.month %}{{ date.month }}月份，{{ region.scope }}共召开重点项目建设协调会议{{ c.meetings }}次，交办事项{{ c.tasks.assigned }}件，已办结{{ c.tasks.closed }}件，其中按时办结{{ c.tasks.closed_on_time }}件；收集项目建设问题{{ c.problems.raised }}个，已解决{{ c.problems.solved }}个。{% endwith %}
{% with c=coordination.year %}{{ date.year }}年以来，累计召开协调会议{{ c.meetings }}次，交办事项{{ c.tasks.assigned }}件，已办结{{ c.tasks.closed }}件，按时办结率{{ c.tasks.closed_on_time|share:c.tasks.assigned }}；截至{{ date.cn }}，逾期未办结{{ c.tasks.overdue }}件。累计收集问题{{ c.problems.raised }}个，已解决{{ c.problems.solved }}个，尚未解决{{ c.problems.unsolved }}个。{% endwith %}
{% if coordination.year.tasks.assigned %}[[table:tasks_by_unit]]{% endif %}
{% if assessment.available %}
# 五、考核评比情况
{% with a=assessment %}根据{{ a.title }}，{{ a.period_label }}共对{{ a.count }}个{% if a.scheme == "province" %}地区{% else %}责任单位{% endif %}进行考核评比。{% if a.red %}列入红榜的有：{% for r in a.red %}{{ r.label }}（{{ r.score }}分）{% if not forloop.last %}、{% endif %}{% endfor %}。{% endif %}{% if a.black %}列入黑榜的有：{% for r in a.black %}{{ r.label }}（{{ r.score }}分）{% if not forloop.last %}、{% endif %}{% endfor %}，请相关单位认真分析原因、限期整改。{% endif %}{% endwith %}
# 六、下一步工作
{% else %}
# 五、下一步工作
{% endif %}
一是紧盯年度目标任务。对照年度投资计划和序时进度，对完成率低于序时进度的项目逐一分析原因，“一项目一方案”制定赶超措施，确保完成全年目标任务。
二是强化节点预警管控。对红色预警节点实行清单化管理，责任单位每周报送进展，项目办跟踪督办，推动滞后节点按期销号。
三是加大协调服务力度。充分发挥周例会机制作用，对交办事项实行“交办—督办—销号”闭环管理，对逾期未办结事项按程序予以督办、通报。
四是做好谋划储备和接续转化。加快推动签约项目落地开工、开工项目投产达效，为下一期“三个一批”活动储备一批优质项目。
"""

WEEKLY_TITLE = "{{ region.name }}重点项目建设周报"

WEEKLY_TEXT = """\
= 重点项目推进情况（{{ date.week_start|cn_date }}—{{ date.cn }}）
# 一、本周例会情况
{% if coordination.meetings_week %}本周{% for m in coordination.meetings_week %}{{ m.date|cn_date }}召开{{ m.name }}（{{ m.label }}）{% if not forloop.last %}，{% endif %}{% endfor %}，共交办事项{{ coordination.week.tasks.assigned }}件。{% else %}本周未召开重点项目建设例会，交办事项{{ coordination.week.tasks.assigned }}件。{% endif %}
# 二、交办事项办理情况
{% with t=coordination.all.tasks %}截至{{ date.cn }}，累计交办事项{{ t.assigned }}件，已办结{{ t.closed }}件，其中按时办结{{ t.closed_on_time }}件；逾期未办结{{ t.overdue }}件。{% endwith %}
{% if coordination.due_soon %}未来7天内到期事项{{ coordination.due_soon|length }}件，请牵头单位抓紧办理：{% else %}未来7天内无到期交办事项。{% endif %}
{% for t in coordination.due_soon|slice:":10" %}
{{ forloop.counter }}. {{ t.content|clause }}（牵头单位：{{ t.unit }}，完成时限：{{ t.deadline|cn_date }}）。
{% endfor %}
{% if coordination.overdue_items %}[[table:overdue_items]]{% endif %}
# 三、问题收集解决情况
{% with w=coordination.week.problems a=coordination.all.problems %}本周新收集项目建设问题{{ w.raised }}个，已解决{{ w.solved }}个。截至{{ date.cn }}，累计收集问题{{ a.raised }}个，已解决{{ a.solved }}个，尚未解决{{ a.unsolved }}个。{% endwith %}
# 四、红色预警节点
{% if warnings.red %}截至{{ date.cn }}，{{ region.scope }}有红色预警节点{{ warnings.red }}个，涉及项目{{ warnings.red_projects }}个；黄色预警节点{{ warnings.yellow }}个。滞后较多的节点如下：{% else %}截至{{ date.cn }}，{{ region.scope }}无红色预警节点；黄色预警节点{{ warnings.yellow }}个。{% endif %}
{% for w in warnings.red_items|slice:":10" %}
{{ forloop.counter }}. {{ w.project }}“{{ w.node }}”节点滞后{{ w.days_late }}天（责任单位：{{ w.responsible_unit|default:"未明确" }}{% if w.leader %}，包联领导：{{ w.leader }}{% endif %}）。
{% endfor %}
# 五、下周工作安排
请各责任单位对照交办事项清单和节点计划，逐项抓好落实，于下周例会前报送办理进展；项目办对逾期事项和红色预警节点跟踪督办。
"""

SHIPPED = [
    {"name": "monthly", "kind": "monthly", "title": MONTHLY_TITLE, "text": MONTHLY_TEXT},
    {"name": "weekly", "kind": "weekly", "title": WEEKLY_TITLE, "text": WEEKLY_TEXT},
]


def seed(template_model) -> int:
    """Create the shipped templates that are missing (`template_model`: the model, or a migration's historical
    one). Returns how many were created."""
    created = 0
    for spec in SHIPPED:
        _obj, made = template_model.objects.get_or_create(name=spec["name"], defaults={**spec, "shipped": True})
        created += made
    return created


def ensure_shipped() -> int:
    """Put back any shipped template that is missing (change-logged like any write)."""
    from .models import BriefingTemplate

    missing = [s for s in SHIPPED if not BriefingTemplate.objects.filter(name=s["name"]).exists()]
    for spec in missing:
        BriefingTemplate.objects.create(**spec, shipped=True)
    return len(missing)
