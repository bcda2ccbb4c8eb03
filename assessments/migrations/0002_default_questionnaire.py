"""Load version 1 of the questionnaire, in English and Spanish, and make it active.

Each question probes one indicator of stage 2, 3 or 4. Its four options describe
what teams actually do, from least to most aligned, and score 0, 1/3, 2/3 and 1.
The article's named indicators carry weight 1.5 in their main question.
"""

from django.db import migrations
from django.utils import timezone

VALUES = (0.0, 0.3333, 0.6667, 1.0)

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
                        "Each leader focuses on their own department's targets; collaboration is not on the agenda.",
                        "Cada líder se centra en los objetivos de su departamento; la colaboración no está en la agenda.",
                    ),
                    (
                        "One of them wants more collaboration; the other is not convinced.",
                        "Uno de ellos quiere más colaboración; el otro no está convencido.",
                    ),
                    (
                        "Both say it matters, but it rarely shapes their plans or budgets.",
                        "Los dos dicen que importa, pero rara vez influye en sus planes o presupuestos.",
                    ),
                    (
                        "Both treat it as a strategic priority for the whole company, and their plans show it.",
                        "Los dos la tratan como una prioridad estratégica para toda la empresa, y sus planes lo reflejan.",
                    ),
                ],
            ),
            (
                "strategic.shared-priority",
                1.0,
                (
                    "When the company sets its yearly goals, how are the marketing and sales goals set?",
                    "Cuando la empresa fija sus objetivos anuales, ¿cómo se fijan los de marketing y ventas?",
                ),
                [
                    (
                        "Separately: each team gets its own targets and nobody checks that they fit together.",
                        "Por separado: cada equipo recibe sus metas y nadie comprueba que encajen.",
                    ),
                    (
                        "Separately, then compared afterwards when the numbers do not add up.",
                        "Por separado, y se comparan después, cuando las cifras no cuadran.",
                    ),
                    (
                        "In parallel, with some discussion between the two leaders.",
                        "En paralelo, con algo de diálogo entre los dos líderes.",
                    ),
                    (
                        "Together, from one shared revenue goal that both leaders signed up to.",
                        "Juntos, a partir de un único objetivo de ingresos que ambos líderes asumen.",
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
                        "No lo hacen, salvo en las reuniones generales de dirección.",
                    ),
                    (
                        "Now and then, usually after something has gone wrong.",
                        "De vez en cuando, normalmente después de que algo haya salido mal.",
                    ),
                    (
                        "Regularly, but the meeting is often moved or cancelled.",
                        "Con regularidad, pero la reunión se aplaza o se cancela a menudo.",
                    ),
                    (
                        "On a fixed cadence, with a standing agenda, and it happens.",
                        "Con una cadencia fija y un orden del día estable, y la reunión se celebra.",
                    ),
                ],
            ),
            (
                "strategic.leadership-meetings",
                1.0,
                (
                    "What comes out of those leadership conversations?",
                    "¿Qué sale de esas conversaciones entre líderes?",
                ),
                [
                    ("There are no such conversations.", "No hay tales conversaciones."),
                    (
                        "Opinions are exchanged, but nothing is decided.",
                        "Se intercambian opiniones, pero no se decide nada.",
                    ),
                    (
                        "Decisions are made, but follow-up depends on goodwill.",
                        "Se toman decisiones, pero el seguimiento depende de la buena voluntad.",
                    ),
                    (
                        "Decisions with owners and dates, reviewed at the next meeting.",
                        "Decisiones con responsable y fecha, que se revisan en la siguiente reunión.",
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
                        "Marketing en solitario; ventas no participa.",
                    ),
                    (
                        "Marketing, and sales sees the result afterwards.",
                        "Marketing, y ventas ve el resultado después.",
                    ),
                    (
                        "Marketing, with input collected from a few salespeople.",
                        "Marketing, con aportaciones recogidas de algunos comerciales.",
                    ),
                    (
                        "Both teams together, and they revise them when either side learns something new.",
                        "Ambos equipos juntos, y los revisan cuando cualquiera de los dos aprende algo nuevo.",
                    ),
                ],
            ),
            (
                "strategic.joint-audience",
                1.0,
                (
                    "How do the messages marketing uses relate to what sales tells customers?",
                    "¿Qué relación hay entre los mensajes que usa marketing y lo que ventas dice a los clientes?",
                ),
                [
                    (
                        "They are unrelated; each team writes its own.",
                        "Ninguna; cada equipo redacta los suyos.",
                    ),
                    (
                        "Sales often ignores or rewrites marketing's messages.",
                        "Ventas suele ignorar o reescribir los mensajes de marketing.",
                    ),
                    (
                        "They mostly match, but what sales hears rarely reaches marketing.",
                        "Coinciden en general, pero lo que oye ventas rara vez llega a marketing.",
                    ),
                    (
                        "They are built together and updated from what sales hears in conversations.",
                        "Se construyen juntos y se actualizan con lo que ventas escucha en sus conversaciones.",
                    ),
                ],
            ),
            (
                "strategic.lead-definition",
                1.5,
                (
                    "Is there a definition of a qualified lead that both teams agreed on?",
                    "¿Existe una definición de lead cualificado acordada por ambos equipos?",
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
                        "There is a shared definition, but it is out of date or often ignored.",
                        "Hay una definición común, pero está desfasada o se ignora a menudo.",
                    ),
                    (
                        "Yes: written down, agreed by both leaders, and used to decide every hand-over.",
                        "Sí: por escrito, aprobada por ambos líderes y usada para decidir cada entrega.",
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
                        "Marketing se entera de manera informal, si acaso.",
                    ),
                    (
                        "Rejections are recorded, but nobody reviews them.",
                        "Los rechazos se registran, pero nadie los revisa.",
                    ),
                    (
                        "Rejections are recorded with a reason and reviewed together to refine the definition.",
                        "Los rechazos se registran con su motivo y se revisan juntos para afinar la definición.",
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
                        "Marketing entrega una lista y ahí termina su trabajo.",
                    ),
                    (
                        "There is a hand-off step, but leads often get lost or wait for days.",
                        "Hay un paso de traspaso, pero los leads se pierden a menudo o esperan días.",
                    ),
                    (
                        "There is an agreed hand-off with response times that are mostly kept.",
                        "Hay un traspaso acordado con tiempos de respuesta que casi siempre se cumplen.",
                    ),
                    (
                        "There is no hand-off: one workflow, organized by revenue stages, that both teams run.",
                        "No hay traspaso: un único flujo, organizado por etapas de ingresos, que llevan ambos equipos.",
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
                        "No está claro; depende de quién lo recoja.",
                    ),
                    (
                        "Marketing until the hand-off, then sales, with no overlap.",
                        "Marketing hasta el traspaso y después ventas, sin solapamiento.",
                    ),
                    (
                        "Each stage has an owner, but the teams rarely look beyond their own stages.",
                        "Cada etapa tiene un responsable, pero los equipos rara vez miran más allá de las suyas.",
                    ),
                    (
                        "Each stage has a shared owner and agreed exit criteria, whichever team does the work.",
                        "Cada etapa tiene un responsable compartido y criterios de salida acordados, haga quien haga el trabajo.",
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
                        "Se comparten informes de vez en cuando, pero las cifras a menudo no coinciden.",
                    ),
                    (
                        "There is a common report, but each team still judges itself by its own metrics.",
                        "Hay un informe común, pero cada equipo se sigue juzgando por sus propias métricas.",
                    ),
                    (
                        "One scorecard with shared metrics, from first touch to closed deal, that both teams use.",
                        "Un único cuadro de mando con métricas comunes, del primer contacto al cierre, que usan ambos equipos.",
                    ),
                ],
            ),
            (
                "operational.shared-dashboard",
                1.0,
                (
                    "What are marketing and sales rewarded on?",
                    "¿Con qué se incentiva a marketing y a ventas?",
                ),
                [
                    (
                        "Separate metrics, such as lead volume for marketing and bookings for sales.",
                        "Métricas separadas, como el volumen de leads para marketing y los contratos para ventas.",
                    ),
                    (
                        "Separate metrics, loosely linked to the company's revenue.",
                        "Métricas separadas, con un vínculo débil con los ingresos de la empresa.",
                    ),
                    (
                        "Partly on shared revenue metrics.",
                        "En parte, métricas de ingresos compartidas.",
                    ),
                    (
                        "Mainly the same revenue metrics, the ones on the shared scorecard.",
                        "Sobre todo las mismas métricas de ingresos, las del cuadro de mando común.",
                    ),
                ],
            ),
            (
                "operational.revenue-council",
                1.5,
                (
                    "Is there a regular meeting where marketing and sales review revenue together and decide what to change?",
                    "¿Hay una reunión periódica en la que marketing y ventas revisan juntos los ingresos y deciden qué cambiar?",
                ),
                [
                    ("No such meeting exists.", "No existe tal reunión."),
                    (
                        "Only one-off meetings when results disappoint.",
                        "Solo reuniones puntuales cuando los resultados decepcionan.",
                    ),
                    (
                        "A regular meeting, but it reports figures rather than deciding anything.",
                        "Una reunión periódica, pero sirve para informar de cifras más que para decidir.",
                    ),
                    (
                        "A revenue council that meets on a fixed cadence and makes joint decisions.",
                        "Un consejo de ingresos que se reúne con una cadencia fija y toma decisiones conjuntas.",
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
                        "La toma un equipo solo; el otro se entera después.",
                    ),
                    (
                        "By one team, after informing the other.",
                        "La toma un equipo, tras informar al otro.",
                    ),
                    (
                        "By one team, after consulting the other.",
                        "La toma un equipo, tras consultar al otro.",
                    ),
                    (
                        "Jointly, weighing both the marketing and the sales point of view.",
                        "Conjuntamente, sopesando el punto de vista de marketing y el de ventas.",
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
                        "To different executives, with nobody below the CEO responsible for both.",
                        "De directivos distintos, sin nadie por debajo del director general responsable de ambos.",
                    ),
                    (
                        "To different executives who share some revenue targets.",
                        "De directivos distintos que comparten algunos objetivos de ingresos.",
                    ),
                    (
                        "Formally to one executive, but in practice they are still run separately.",
                        "Formalmente de un mismo directivo, pero en la práctica se dirigen por separado.",
                    ),
                    (
                        "To one revenue leader (CRO or CCO) who owns the targets of both.",
                        "De un único líder de ingresos (CRO o CCO) responsable de los objetivos de ambos.",
                    ),
                ],
            ),
            (
                "functional.revenue-leader",
                1.0,
                (
                    "How are the marketing and sales budgets and headcount planned?",
                    "¿Cómo se planifican los presupuestos y las plantillas de marketing y ventas?",
                ),
                [
                    (
                        "Separately, by each department.",
                        "Por separado, cada departamento el suyo.",
                    ),
                    (
                        "Separately, and reconciled by finance.",
                        "Por separado, y finanzas los concilia.",
                    ),
                    (
                        "Discussed together, but approved separately.",
                        "Se discuten juntos, pero se aprueban por separado.",
                    ),
                    (
                        "As one revenue plan, owned by a single leader.",
                        "Como un único plan de ingresos, a cargo de un solo líder.",
                    ),
                ],
            ),
            (
                "functional.structure-in-place",
                1.5,
                (
                    "If marketing and sales share one leader, what supports that arrangement day to day?",
                    "Si marketing y ventas comparten un líder, ¿qué sostiene ese cambio en el día a día?",
                ),
                [
                    (
                        "They do not share a leader, or nothing changed below the new leader.",
                        "No comparten líder, o nada cambió por debajo del nuevo líder.",
                    ),
                    (
                        "A few joint meetings, but each team still works as before.",
                        "Algunas reuniones conjuntas, pero cada equipo trabaja como antes.",
                    ),
                    (
                        "Some shared definitions and metrics, though not all of them are used.",
                        "Algunas definiciones y métricas comunes, aunque no todas se usan.",
                    ),
                    (
                        "The agreed lead definition, the shared scorecard and the revenue council, all in use.",
                        "La definición acordada de lead, el cuadro de mando común y el consejo de ingresos, todos en uso.",
                    ),
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
                        "With shared processes for some stages of the revenue process.",
                        "Con procesos compartidos en algunas etapas del proceso de ingresos.",
                    ),
                    (
                        "As one revenue team: shared processes, tools and routines at every stage.",
                        "Como un único equipo de ingresos: procesos, herramientas y rutinas comunes en todas las etapas.",
                    ),
                ],
            ),
        ],
    ),
]


def load_questionnaire(apps, schema_editor):
    Indicator = apps.get_model("stages", "Indicator")
    Questionnaire = apps.get_model("assessments", "Questionnaire")
    Section = apps.get_model("assessments", "Section")
    Question = apps.get_model("assessments", "Question")
    Option = apps.get_model("assessments", "Option")

    indicators = {i.key: i for i in Indicator.objects.all()}
    questionnaire = Questionnaire.objects.create(
        version=1,
        is_active=True,
        published_at=timezone.now(),
        **translated(
            "title",
            (
                "Marketing–sales alignment assessment",
                "Evaluación de la alineación de marketing y ventas",
            ),
        ),
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
        ("assessments", "0001_initial"),
        ("stages", "0002_load_continuum_content"),
    ]

    operations = [migrations.RunPython(load_questionnaire, migrations.RunPython.noop)]
