"""Load version 2 of the questionnaire, in English and Spanish, and make it active.

Version 1 stays for the rounds that used it; rounds compare by indicator key.
What changed, and why:
- "Who do marketing and sales report to?" has an option for both reporting to the
  CEO, and asks about the reporting line only: how the teams work in practice is
  asked separately (structure-in-place), so a single leader over teams that still
  work apart — the article's warning — shows as exactly that.
- Shared revenue targets are asked once, in stage 3 (shared metrics); the stage 2
  and stage 4 questions no longer mention them.
- The structure question is no longer conditional ("if they share a leader…")
  and no longer bundles two situations in its first option.
- Each option adds one requirement to the one below it; no top option asks for
  three things at once.
- Stage 2's "implementation plan" (what moves a team to stage 3) has a question.
Options score 0, 1/3, 2/3 and 1; the article's named indicators carry weight 1.5
in their main question, as in version 1.
"""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

VALUES = (0.0, 0.3333, 0.6667, 1.0)

TITLE = (
    "Marketing–sales alignment assessment",
    "Evaluación de la alineación de marketing y ventas",
)

PAGES = [
    (
        ("The leaders", "Los líderes"),
        [
            (
                "strategic.shared-priority",
                1.0,
                (
                    "How do the marketing and sales leaders see collaboration between their teams?",
                    "¿Cómo ven los líderes de marketing y ventas la colaboración entre sus equipos?",
                ),
                [
                    (
                        "Neither puts it on the agenda; each focuses on their own department.",
                        "Ninguno de los dos la pone sobre la mesa; cada uno se centra en su departamento.",
                    ),
                    (
                        "One of them wants more collaboration; the other is not convinced.",
                        "Uno de los dos quiere más colaboración; el otro no lo ve claro.",
                    ),
                    (
                        "Both say it matters, but it rarely changes what they decide.",
                        "Los dos dicen que es importante, pero rara vez cambia lo que deciden.",
                    ),
                    (
                        "Both treat it as a strategic priority for the whole company.",
                        "Los dos la tratan como una prioridad estratégica para toda la empresa.",
                    ),
                ],
            ),
            (
                "strategic.shared-priority",
                1.0,
                (
                    "When the two leaders plan the year, how do they go about it?",
                    "Cuando los dos líderes planifican el año, ¿cómo lo hacen?",
                ),
                [
                    (
                        "Each plans alone; the other sees the plan once it is final, if at all.",
                        "Cada uno planifica por su cuenta; el otro ve el plan cuando ya está cerrado, si llega a verlo.",
                    ),
                    (
                        "Each plans alone, then they compare the two plans.",
                        "Cada uno planifica por su cuenta y después comparan los dos planes.",
                    ),
                    (
                        "They agree the main priorities together, then each plans alone.",
                        "Acuerdan juntos las prioridades principales y después cada uno planifica por su cuenta.",
                    ),
                    (
                        "They plan together, from the priorities they agreed.",
                        "Planifican juntos, a partir de las prioridades que han acordado.",
                    ),
                ],
            ),
            (
                "strategic.leadership-meetings",
                1.5,
                (
                    "How often do the marketing and sales leaders meet to talk about how their teams work together?",
                    "¿Con qué frecuencia se reúnen los líderes de marketing y ventas para hablar de cómo trabajan juntos sus equipos?",
                ),
                [
                    (
                        "They don't, apart from general management meetings.",
                        "No se reúnen para eso, salvo en las reuniones generales de dirección.",
                    ),
                    (
                        "Now and then, usually after something has gone wrong.",
                        "De vez en cuando, normalmente cuando algo ha salido mal.",
                    ),
                    (
                        "On a regular schedule, but the meeting is often moved or cancelled.",
                        "Con una periodicidad fija, pero la reunión se aplaza o se cancela a menudo.",
                    ),
                    (
                        "On a regular schedule that holds.",
                        "Con una periodicidad fija que se respeta.",
                    ),
                ],
            ),
            (
                "strategic.leadership-meetings",
                1.0,
                (
                    "What comes out of those meetings?",
                    "¿Qué sale de esas reuniones?",
                ),
                [
                    ("There are no such meetings.", "No hay reuniones de ese tipo."),
                    (
                        "Opinions are exchanged, but nothing is decided.",
                        "Se intercambian opiniones, pero no se decide nada.",
                    ),
                    (
                        "Decisions are made, but nobody follows them up.",
                        "Se toman decisiones, pero nadie hace su seguimiento.",
                    ),
                    (
                        "Decisions that are reviewed at the next meeting.",
                        "Decisiones que se revisan en la reunión siguiente.",
                    ),
                ],
            ),
            (
                "strategic.implementation-plan",
                1.0,
                (
                    "Is there a plan for putting marketing–sales alignment into practice?",
                    "¿Hay un plan para llevar a la práctica la alineación entre marketing y ventas?",
                ),
                [
                    (
                        "No; alignment is talked about, but there is no plan.",
                        "No; se habla de alineación, pero no hay ningún plan.",
                    ),
                    (
                        "The leaders have discussed what should change, but nothing is written down.",
                        "Los líderes han hablado de lo que debería cambiar, pero no hay nada por escrito.",
                    ),
                    (
                        "There is a written plan, but nobody checks how it is going.",
                        "Hay un plan por escrito, pero nadie comprueba cómo avanza.",
                    ),
                    (
                        "A written plan whose progress the two leaders review regularly.",
                        "Un plan por escrito cuyo avance revisan periódicamente los dos líderes.",
                    ),
                ],
            ),
        ],
    ),
    (
        ("Audience and leads", "Audiencia y leads"),
        [
            (
                "strategic.joint-audience",
                1.0,
                (
                    "Who defines the target audience and the buyer personas?",
                    "¿Quién define la audiencia objetivo y los perfiles de comprador?",
                ),
                [
                    (
                        "Marketing alone; sales is not involved.",
                        "Marketing, sin que ventas participe.",
                    ),
                    (
                        "Marketing, and sales sees the result afterwards.",
                        "Marketing, y ventas ve el resultado después.",
                    ),
                    (
                        "Marketing, with input gathered from some salespeople.",
                        "Marketing, con aportaciones de algunos comerciales.",
                    ),
                    (
                        "Marketing and sales, together.",
                        "Marketing y ventas, juntos.",
                    ),
                ],
            ),
            (
                "strategic.joint-audience",
                1.0,
                (
                    "How are the messages that marketing and sales use with customers written?",
                    "¿Cómo se elaboran los mensajes que marketing y ventas usan con los clientes?",
                ),
                [
                    (
                        "Each team writes its own, unrelated to the other's.",
                        "Cada equipo redacta los suyos, sin relación con los del otro.",
                    ),
                    (
                        "Marketing writes them, and sales often ignores or rewrites them.",
                        "Los redacta marketing, y ventas a menudo los ignora o los reescribe.",
                    ),
                    (
                        "Marketing writes them and sales uses them, but what sales hears from customers rarely gets back to marketing.",
                        "Los redacta marketing y ventas los usa, pero lo que ventas escucha a los clientes rara vez vuelve a marketing.",
                    ),
                    (
                        "They are updated with what sales hears from customers.",
                        "Se actualizan con lo que ventas escucha a los clientes.",
                    ),
                ],
            ),
            (
                "strategic.lead-definition",
                1.5,
                (
                    "Is there a definition of a qualified lead that both teams agreed on?",
                    "¿Existe una definición de lead cualificado acordada por los dos equipos?",
                ),
                [
                    (
                        "No; each team has its own idea of a good lead.",
                        "No; cada equipo tiene su propia idea de lo que es un buen lead.",
                    ),
                    (
                        "Marketing has a definition, but sales never agreed to it.",
                        "Marketing tiene una definición, pero ventas nunca la aceptó.",
                    ),
                    (
                        "There is an agreed definition, but it is often ignored.",
                        "Hay una definición acordada, pero a menudo no se aplica.",
                    ),
                    (
                        "Yes: it decides every hand-over from marketing to sales.",
                        "Sí: es el criterio de cada traspaso de marketing a ventas.",
                    ),
                ],
            ),
            (
                "strategic.lead-definition",
                1.0,
                (
                    "What happens when sales turns down a lead from marketing?",
                    "¿Qué ocurre cuando ventas rechaza un lead de marketing?",
                ),
                [
                    ("Nothing; marketing never finds out.", "Nada; marketing nunca se entera."),
                    (
                        "Marketing hears about it informally, if at all.",
                        "Marketing se entera de manera informal, si es que se entera.",
                    ),
                    (
                        "The rejection is recorded with a reason, but nobody looks at it again.",
                        "El rechazo se registra con su motivo, pero nadie vuelve a mirarlo.",
                    ),
                    (
                        "The two teams review rejections together to refine the definition.",
                        "Los dos equipos revisan juntos los rechazos para afinar la definición.",
                    ),
                ],
            ),
        ],
    ),
    (
        ("One revenue process", "Un único proceso de ingresos"),
        [
            (
                "operational.single-workflow",
                1.5,
                (
                    "How does a prospect move from marketing's activities to a sales conversation?",
                    "¿Cómo pasa un cliente potencial de las acciones de marketing a una conversación con ventas?",
                ),
                [
                    (
                        "Marketing passes a list over and its job ends there.",
                        "Marketing entrega una lista y ahí acaba su trabajo.",
                    ),
                    (
                        "Through a hand-off where leads often get lost or wait for days.",
                        "Mediante un traspaso en el que los leads a menudo se pierden o esperan días.",
                    ),
                    (
                        "Through an agreed hand-off whose response times are mostly kept.",
                        "Mediante un traspaso acordado cuyos plazos de respuesta casi siempre se cumplen.",
                    ),
                    (
                        "Without a hand-off: one workflow, organized by revenue stages.",
                        "Sin traspaso: un único flujo de trabajo, organizado por etapas del proceso de ingresos.",
                    ),
                ],
            ),
            (
                "operational.single-workflow",
                1.0,
                (
                    "Who is responsible for a prospect at each stage of the revenue process?",
                    "¿Quién es responsable de un cliente potencial en cada etapa del proceso de ingresos?",
                ),
                [
                    (
                        "It is unclear; it depends on who picks it up.",
                        "No está claro; depende de quién se haga cargo.",
                    ),
                    (
                        "Marketing until the hand-off, then sales, each minding only its own part.",
                        "Marketing hasta el traspaso y ventas después, cada uno pendiente solo de su parte.",
                    ),
                    (
                        "Each stage has an owner, but the teams rarely look beyond their own stages.",
                        "Cada etapa tiene un responsable, pero los equipos rara vez miran más allá de las suyas.",
                    ),
                    (
                        "Each stage has exit criteria that both teams agreed.",
                        "Cada etapa tiene criterios de salida acordados por los dos equipos.",
                    ),
                ],
            ),
            (
                "operational.shared-dashboard",
                1.5,
                (
                    "Where do the two teams look to see how revenue is doing?",
                    "¿Dónde miran los dos equipos para saber cómo van los ingresos?",
                ),
                [
                    (
                        "Each team has its own reports and its own numbers.",
                        "Cada equipo tiene sus propios informes y sus propias cifras.",
                    ),
                    (
                        "Reports are shared now and then, but the figures often disagree.",
                        "Se comparten informes de vez en cuando, pero las cifras a menudo no cuadran.",
                    ),
                    (
                        "There is a common report, but each team still steers by its own figures.",
                        "Hay un informe común, pero cada equipo se sigue guiando por sus propias cifras.",
                    ),
                    (
                        "One shared scorecard, which both teams steer by.",
                        "Un único cuadro de mando común, por el que se guían los dos equipos.",
                    ),
                ],
            ),
            (
                "operational.shared-dashboard",
                1.0,
                (
                    "What are marketing and sales measured and rewarded on?",
                    "¿En función de qué se mide y se incentiva a marketing y a ventas?",
                ),
                [
                    (
                        "Separate targets, such as lead volume for marketing and bookings for sales.",
                        "Objetivos separados, como el volumen de leads para marketing y los contratos cerrados para ventas.",
                    ),
                    (
                        "Separate targets, loosely linked to the company's revenue.",
                        "Objetivos separados, poco vinculados a los ingresos de la empresa.",
                    ),
                    (
                        "Partly a shared revenue target, partly separate ones.",
                        "En parte un objetivo de ingresos común y en parte objetivos separados.",
                    ),
                    (
                        "Mainly one shared revenue target.",
                        "Sobre todo un único objetivo de ingresos común.",
                    ),
                ],
            ),
            (
                "operational.revenue-council",
                1.5,
                (
                    "Is there a regular meeting where marketing and sales review revenue together?",
                    "¿Hay una reunión periódica en la que marketing y ventas revisan juntos los ingresos?",
                ),
                [
                    ("No such meeting exists.", "No existe esa reunión."),
                    (
                        "Only one-off meetings when results disappoint.",
                        "Solo reuniones puntuales cuando los resultados decepcionan.",
                    ),
                    (
                        "A regular meeting, but it reports figures rather than deciding anything.",
                        "Una reunión periódica, pero sirve para informar de cifras más que para decidir.",
                    ),
                    (
                        "A revenue council: a regular meeting that decides what to change.",
                        "Un consejo de ingresos: una reunión periódica que decide qué hay que cambiar.",
                    ),
                ],
            ),
            (
                "operational.revenue-council",
                1.0,
                (
                    "When a revenue decision is made (budget, campaign, territory), how is it made?",
                    "Cuando se toma una decisión sobre ingresos (presupuesto, campaña, territorio), ¿cómo se toma?",
                ),
                [
                    (
                        "By one team alone; the other finds out later.",
                        "La toma un equipo por su cuenta; el otro se entera después.",
                    ),
                    (
                        "By one team, after informing the other.",
                        "La toma un equipo, después de informar al otro.",
                    ),
                    (
                        "By one team, after consulting the other.",
                        "La toma un equipo, después de consultar al otro.",
                    ),
                    (
                        "By both teams together.",
                        "La toman los dos equipos juntos.",
                    ),
                ],
            ),
        ],
    ),
    (
        ("Structure and leadership", "Estructura y liderazgo"),
        [
            (
                "functional.revenue-leader",
                1.5,
                ("Who do marketing and sales report to?", "¿De quién dependen marketing y ventas?"),
                [
                    (
                        "To different executives below the CEO.",
                        "De directivos distintos, por debajo del director general.",
                    ),
                    (
                        "Both directly to the CEO or general manager.",
                        "Los dos, directamente del consejero delegado o del director general.",
                    ),
                    (
                        "To one executive whose main job is something else (for example, marketing reports to the head of sales).",
                        "De un mismo directivo cuya responsabilidad principal es otra (por ejemplo, marketing depende del director de ventas).",
                    ),
                    (
                        "To one revenue leader (CRO or CCO) whose remit is marketing and sales.",
                        "De un único responsable de ingresos (CRO o CCO) a cargo de marketing y ventas.",
                    ),
                ],
            ),
            (
                "functional.structure-in-place",
                1.5,
                (
                    "Which of these are in use today: an agreed lead definition, a shared scorecard, a revenue council?",
                    "¿Cuáles de estas piezas se usan hoy: una definición de lead acordada, un cuadro de mando común, un consejo de ingresos?",
                ),
                [
                    ("None of them.", "Ninguna."),
                    ("One of them.", "Una de ellas."),
                    ("Two of them.", "Dos de ellas."),
                    ("All three.", "Las tres."),
                ],
            ),
            (
                "functional.structure-in-place",
                1.0,
                (
                    "How do the two teams work below the leadership level?",
                    "¿Cómo trabajan los dos equipos por debajo del nivel directivo?",
                ),
                [
                    (
                        "As separate departments with their own habits and tools.",
                        "Como departamentos separados, con sus propios hábitos y herramientas.",
                    ),
                    (
                        "Separately, with an occasional joint project.",
                        "Por separado, con algún proyecto conjunto de vez en cuando.",
                    ),
                    (
                        "With shared processes at some stages of the revenue process.",
                        "Con procesos compartidos en algunas etapas del proceso de ingresos.",
                    ),
                    (
                        "With shared processes at every stage of the revenue process.",
                        "Con procesos compartidos en todas las etapas del proceso de ingresos.",
                    ),
                ],
            ),
            (
                "functional.structure-in-place",
                1.0,
                (
                    "How are the marketing and sales budgets approved?",
                    "¿Cómo se aprueban los presupuestos de marketing y ventas?",
                ),
                [
                    (
                        "Separately, each department its own.",
                        "Por separado, cada departamento el suyo.",
                    ),
                    (
                        "Separately, then reconciled by finance.",
                        "Por separado, y después el departamento financiero los cuadra.",
                    ),
                    (
                        "Discussed together, but approved separately.",
                        "Se debaten conjuntamente, pero se aprueban por separado.",
                    ),
                    (
                        "As one revenue budget.",
                        "Como un único presupuesto de ingresos.",
                    ),
                ],
            ),
        ],
    ),
]


def load_version_2(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    Questionnaire = apps.get_model("assessments", "Questionnaire")
    Section = apps.get_model("assessments", "Section")
    Question = apps.get_model("assessments", "Question")
    Option = apps.get_model("assessments", "Option")

    indicators = {i.key: i for i in Indicator.objects.all()}
    # After any draft an editor may already have numbered.
    version = (Questionnaire.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    Questionnaire.objects.filter(is_active=True).update(is_active=False)
    questionnaire = Questionnaire.objects.create(
        version=version, is_active=True, published_at=timezone.now(), **translated("title", TITLE)
    )
    for page_order, (title, questions) in enumerate(PAGES, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire, order=page_order, **translated("title", title)
        )
        for order, (key, weight, text, options) in enumerate(questions, start=1):
            question = Question.objects.create(
                section=section,
                indicator=indicators[key],
                order=order,
                weight=weight,
                **translated("text", text),
            )
            Option.objects.bulk_create(
                Option(question=question, order=n, value=value, **translated("text", option))
                for n, (value, option) in enumerate(zip(VALUES, options, strict=True), start=1)
            )


def translated(field, pair):
    english, spanish = pair
    return {field: english, f"{field}_en": english, f"{field}_es": spanish}


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_round_visibility_and_consultant_access"),
        ("stages", "0003_implementation_plan_indicator"),
    ]

    operations = [migrations.RunPython(load_version_2, migrations.RunPython.noop)]
