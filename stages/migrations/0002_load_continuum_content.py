"""Load the four stages of the marketing–sales alignment continuum, in English and Spanish."""

from django.db import migrations

STAGES = [
    {
        "number": 1,
        "slug": "silo",
        "colour": "#b03a2e",
        "name": ("Siloed functions", "Funciones en silo"),
        "summary": (
            "Marketing and sales each run their own show, and leads change hands "
            "without a conversation.",
            "Marketing y ventas trabajan cada uno por su cuenta y los leads cambian "
            "de manos sin una conversación.",
        ),
        "description": (
            "This is the classic set-up. Marketing studies the market and the numbers to "
            "decide on personas, audiences and messages. Sales prospects outbound, builds "
            "the pipeline and closes deals. Demand generation sits somewhere in between: "
            "marketing stirs up interest among prospects or target accounts, qualifies the "
            "leads and passes them over, and sales decides on its own whether to accept "
            "them and follow up.",
            "Es la organización de siempre. Marketing estudia el mercado y los datos para "
            "decidir perfiles de comprador, audiencias y mensajes. Ventas hace prospección "
            "outbound, construye el pipeline y cierra negocios. La generación de demanda "
            "queda a medio camino: marketing despierta el interés de clientes potenciales "
            "o cuentas objetivo, cualifica los leads y los entrega, y ventas decide por su "
            "cuenta si los acepta y les da seguimiento.",
        ),
        "indicators": [
            (
                "silo.no-collaboration",
                (
                    "The two teams do not work together and are not aligned on goals.",
                    "Los dos equipos no colaboran ni comparten objetivos.",
                ),
                (
                    "Get the marketing and sales leaders in one room to agree that working "
                    "together matters.",
                    "Reunir a los líderes de marketing y ventas para acordar que trabajar "
                    "juntos es importante.",
                ),
            ),
            (
                "silo.separate-metrics",
                (
                    "Each team has its own processes, results and metrics.",
                    "Cada equipo tiene sus propios procesos, resultados y métricas.",
                ),
                (
                    "List the metrics each team reports and mark the ones both could share.",
                    "Listar las métricas que reporta cada equipo y marcar las que podrían "
                    "compartir.",
                ),
            ),
            (
                "silo.silent-handoffs",
                (
                    "Leads are handed from marketing to sales without any conversation.",
                    "Los leads pasan de marketing a ventas sin ninguna conversación.",
                ),
                (
                    "Review a sample of recent hand-offs together and note what got lost.",
                    "Revisar juntos una muestra de traspasos recientes y anotar qué se perdió.",
                ),
            ),
        ],
        "next_steps": [
            (
                "A leader — the head of marketing, the head of sales, or the CEO / general "
                "manager — decides that the two teams will start collaborating.",
                "Un líder —el de marketing, el de ventas o el director general— decide que "
                "los dos equipos empezarán a colaborar.",
            ),
            (
                "Put that decision into words both teams hear: why collaboration matters "
                "for the whole organization, not only for one department.",
                "Expresar esa decisión de forma que ambos equipos la escuchen: por qué la "
                "colaboración importa a toda la organización y no solo a un departamento.",
            ),
        ],
    },
    {
        "number": 2,
        "slug": "strategic",
        "colour": "#9a6700",
        "name": ("Strategic alignment", "Alineación estratégica"),
        "summary": (
            "The two leaders talk regularly and agree that working together is a strategic "
            "priority.",
            "Los dos líderes hablan con regularidad y coinciden en que colaborar es una "
            "prioridad estratégica.",
        ),
        "description": (
            "Alignment begins with communication. The marketing and sales leaders agree "
            "that collaboration matters strategically to the whole organization, and from "
            "there they start planning how the pieces fit together. Work that each side "
            "used to define alone, such as who the audience is and what to tell it, is now "
            "shaped with both the marketing and the sales point of view.",
            "La alineación empieza por la comunicación. Los líderes de marketing y ventas "
            "coinciden en que colaborar es estratégico para toda la organización y, a "
            "partir de ahí, empiezan a planificar cómo encajan las piezas. Lo que cada "
            "parte definía por separado, como quién es la audiencia y qué decirle, ahora "
            "se construye con la mirada de marketing y la de ventas.",
        ),
        "indicators": [
            (
                "strategic.shared-priority",
                (
                    "Both leaders agree that collaboration between marketing and sales is a "
                    "strategic priority for the whole organization.",
                    "Ambos líderes coinciden en que la colaboración entre marketing y ventas "
                    "es una prioridad estratégica para toda la organización.",
                ),
                (
                    "Hold a leaders' session to agree, in writing, why alignment matters to "
                    "the company's goals.",
                    "Celebrar una sesión de líderes para acordar por escrito por qué la "
                    "alineación importa para los objetivos de la empresa.",
                ),
            ),
            (
                "strategic.lead-definition",
                (
                    "Marketing and sales have agreed together on what makes a lead qualified.",
                    "Marketing y ventas han acordado juntos qué hace que un lead esté cualificado.",
                ),
                (
                    "Write a one-page lead-qualification definition with both teams and have "
                    "both leaders sign it off.",
                    "Redactar con ambos equipos una definición de lead cualificado de una "
                    "página y que la aprueben los dos líderes.",
                ),
            ),
            (
                "strategic.leadership-meetings",
                (
                    "The marketing and sales leaders (CMO and CSO) meet on a regular cadence "
                    "to discuss alignment.",
                    "Los líderes de marketing y ventas (CMO y CSO) se reúnen con una cadencia "
                    "fija para hablar de alineación.",
                ),
                (
                    "Put a recurring CMO–CSO alignment meeting in both calendars, with a "
                    "standing agenda.",
                    "Fijar en ambas agendas una reunión periódica CMO–CSO sobre alineación, "
                    "con un orden del día estable.",
                ),
            ),
            (
                "strategic.joint-audience",
                (
                    "Audience, personas and messaging are defined with input from both teams.",
                    "La audiencia, los perfiles de comprador y los mensajes se definen con "
                    "aportaciones de ambos equipos.",
                ),
                (
                    "Review the personas and key messages in a joint workshop where sales "
                    "brings what it hears from customers.",
                    "Revisar los perfiles de comprador y los mensajes clave en un taller "
                    "conjunto en el que ventas aporte lo que oye de los clientes.",
                ),
            ),
        ],
        "next_steps": [
            (
                "Turn the shared intent into an alignment implementation plan: what will "
                "change in processes, metrics and meetings, who owns each change, and by "
                "when.",
                "Convertir la intención compartida en un plan de implantación de la "
                "alineación: qué cambiará en procesos, métricas y reuniones, quién se "
                "encarga de cada cambio y para cuándo.",
            ),
        ],
    },
    {
        "number": 3,
        "slug": "operational",
        "colour": "#1f6fa8",
        "name": ("Operational alignment", "Alineación operativa"),
        "summary": (
            "Marketing and sales run one revenue workflow, measured on one scorecard.",
            "Marketing y ventas operan un único flujo de ingresos, medido en un único "
            "cuadro de mando.",
        ),
        "description": (
            "This is the stage that feels like alignment. The two halves of the revenue "
            "process join into a single, seamless workflow. Both teams have made decisions "
            "together, from both points of view, and put them into practice. Nobody hands "
            "leads over the wall any more: the stages of revenue, not the departments, "
            "steer the work.",
            "Es la etapa en la que la alineación se nota. Las dos mitades del proceso de "
            "ingresos se unen en un único flujo de trabajo, sin costuras. Ambos equipos "
            "han tomado decisiones juntos, con los dos puntos de vista, y las han llevado "
            "a la práctica. Ya nadie lanza los leads por encima del muro: son las etapas "
            "de los ingresos, no los departamentos, las que guían el trabajo.",
        ),
        "indicators": [
            (
                "operational.shared-dashboard",
                (
                    "Both teams work from common metrics in a single dashboard or scorecard.",
                    "Ambos equipos trabajan con métricas comunes en un único cuadro de mando.",
                ),
                (
                    "Build one revenue scorecard that both teams review, from first touch to "
                    "closed deal.",
                    "Construir un único cuadro de mando de ingresos que revisen ambos "
                    "equipos, desde el primer contacto hasta el cierre.",
                ),
            ),
            (
                "operational.revenue-council",
                (
                    "A revenue council with marketing and sales meets regularly.",
                    "Un consejo de ingresos con marketing y ventas se reúne periódicamente.",
                ),
                (
                    "Start a monthly revenue council where marketing and sales review the "
                    "scorecard and decide together.",
                    "Poner en marcha un consejo de ingresos mensual en el que marketing y "
                    "ventas revisen el cuadro de mando y decidan juntos.",
                ),
            ),
            (
                "operational.single-workflow",
                (
                    "Leads move through one revenue workflow organized by revenue stages, "
                    "with no hand-off between departments.",
                    "Los leads recorren un único flujo de ingresos organizado por etapas, sin "
                    "traspasos entre departamentos.",
                ),
                (
                    "Map the revenue process by stage and give each stage one shared owner "
                    "and exit criteria.",
                    "Dibujar el proceso de ingresos por etapas y dar a cada etapa un "
                    "responsable compartido y criterios de salida.",
                ),
            ),
        ],
        "next_steps": [
            (
                "The CEO or the board asks for more than incremental improvement, which "
                "opens the question of bringing marketing and sales under one leader.",
                "El director general o el consejo de administración piden algo más que una "
                "mejora incremental, y eso abre la cuestión de reunir marketing y ventas "
                "bajo un mismo líder.",
            ),
        ],
    },
    {
        "number": 4,
        "slug": "functional",
        "colour": "#1b7a43",
        "name": ("Functional alignment", "Alineación funcional"),
        "summary": (
            "Marketing and sales report to one revenue leader, on top of the shared "
            "structure built in the earlier stages.",
            "Marketing y ventas dependen de un único líder de ingresos, apoyados en la "
            "estructura común construida en las etapas anteriores.",
        ),
        "description": (
            "Marketing and sales report to the same leader. It looks like the easiest "
            "stage, but it is not: changing the org chart without the supporting structure "
            "leaves the two teams as siloed as before. Functional alignment is not a "
            "one-off move by a new leader; it only holds when the organization has gone "
            "through the earlier stages first.",
            "Marketing y ventas dependen del mismo líder. Parece la etapa más sencilla, "
            "pero no lo es: cambiar el organigrama sin la estructura que lo sostenga deja "
            "a los dos equipos tan aislados como antes. La alineación funcional no es un "
            "movimiento puntual de un líder nuevo; solo se sostiene cuando la organización "
            "ha recorrido antes las etapas anteriores.",
        ),
        "indicators": [
            (
                "functional.revenue-leader",
                (
                    "A Chief Revenue Officer (CRO) or Chief Commercial Officer (CCO) leads "
                    "both marketing and sales.",
                    "Un director de ingresos (CRO) o un director comercial (CCO) dirige "
                    "marketing y ventas.",
                ),
                (
                    "Give one leader, a CRO or CCO, responsibility for both marketing and "
                    "sales and their shared targets.",
                    "Dar a un único líder, un CRO o un CCO, la responsabilidad de marketing, "
                    "de ventas y de sus objetivos comunes.",
                ),
            ),
            (
                "functional.structure-in-place",
                (
                    "Under that leader, the shared lead definition, the common scorecard and "
                    "the revenue council are all in place and used.",
                    "Bajo ese líder siguen vigentes y en uso la definición común de lead, el "
                    "cuadro de mando compartido y el consejo de ingresos.",
                ),
                (
                    "Check that the agreements of the earlier stages survive the new "
                    "reporting line, and rebuild the ones that lapsed.",
                    "Comprobar que los acuerdos de las etapas anteriores sobreviven a la "
                    "nueva estructura de mando y reconstruir los que se perdieron.",
                ),
            ),
        ],
        "next_steps": [
            (
                "There is no stage beyond this one. Keep the structure alive and revisit "
                "this assessment every few months, so any drift shows before it hurts.",
                "No hay ninguna etapa después de esta. Mantener viva la estructura y repetir "
                "esta evaluación cada pocos meses para detectar cualquier retroceso antes "
                "de que haga daño.",
            ),
        ],
    },
]


def load_continuum(apps, schema_editor):
    Stage = apps.get_model("stages", "Stage")
    Indicator = apps.get_model("stages", "Indicator")
    NextStep = apps.get_model("stages", "NextStep")
    for data in STAGES:
        stage = Stage.objects.create(
            number=data["number"],
            slug=data["slug"],
            colour=data["colour"],
            **translated("name", data["name"]),
            **translated("summary", data["summary"]),
            **translated("description", data["description"]),
        )
        for order, (key, text, action) in enumerate(data["indicators"], start=1):
            Indicator.objects.create(
                stage=stage,
                key=key,
                order=order,
                **translated("text", text),
                **translated("action", action),
            )
        for order, text in enumerate(data["next_steps"], start=1):
            NextStep.objects.create(stage=stage, order=order, **translated("text", text))


def translated(field, pair):
    english, spanish = pair
    return {field: english, f"{field}_en": english, f"{field}_es": spanish}


class Migration(migrations.Migration):
    dependencies = [("stages", "0001_initial")]

    operations = [migrations.RunPython(load_continuum, migrations.RunPython.noop)]
