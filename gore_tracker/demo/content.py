"""What the demo data set says: sessions, commitment texts per sector, people and notes.

Plain data, no database. ``operations.load_demo`` turns it into meetings recorded
through ``record_acta`` and histories written through ``apply_update``. Texts are
fictional but modelled on real actas de compromisos of GORE Ejecutivo sessions;
placeholders: {prov}/{prov2} a province of the block's region, {region} its name,
{n} the numeric target.
"""
from __future__ import annotations

DOMAIN = "demo.example"  # reserved TLD: demo addresses can never receive mail
PASSWORD = "demo-gore-123"

# One account per role: printed by `flask demo load` and `make run`, listed in the README.
ACCOUNTS = [
    # email, name, role, organization
    ("admin@demo.example", "Lucía Ramírez Soto", "admin", None),
    ("coordinador@demo.example", "Jorge Salazar Medina", "coordinator", "PCM"),
    ("enlace.minsa@demo.example", "Carmen Quispe Huamaní", "liaison", "MINSA"),
    ("funcionario.cusco@demo.example", "Ricardo Ttito Mamani", "regional_officer", "Cusco"),
    ("consulta@demo.example", "Ana Flores Vargas", "viewer", None),
]

# The people whose names appear in the histories (same password, not printed).
STAFF = [
    ("enlace.mtc@demo.example", "Miguel Ángel Torres Ruiz", "liaison", "MTC"),
    ("enlace.mvcs@demo.example", "Patricia Chávez León", "liaison", "MVCS"),
    ("enlace.minedu@demo.example", "Rocío Paredes Gamarra", "liaison", "MINEDU"),
    ("enlace.midagri@demo.example", "Hugo Condori Apaza", "liaison", "MIDAGRI"),
    ("enlace.minem@demo.example", "Fernando Villanueva Rojas", "liaison", "MINEM"),
    ("enlace.produce@demo.example", "Giovanna Castillo Ñique", "liaison", "PRODUCE"),
    ("funcionario.puno@demo.example", "Wilber Mamani Ccama", "regional_officer", "Puno"),
    ("funcionario.ayacucho@demo.example", "Edith Gutiérrez Palomino", "regional_officer", "Ayacucho"),
    ("funcionario.piura@demo.example", "Óscar Zapata Chunga", "regional_officer", "Piura"),
    ("funcionario.loreto@demo.example", "Milagros Panduro Ríos", "regional_officer", "Loreto"),
    ("funcionario.junin@demo.example", "Raúl Canchari Poma", "regional_officer", "Junín"),
    ("funcionario.ancash@demo.example", "Silvia Huerta Ramos", "regional_officer", "Áncash"),
]

# Bodies the demo adds beside the reference lists (through create_organization).
ORGANIZATIONS = [
    # kind, name, code, official name, parent sector acronym
    ("unit", "PRONIS", "PRONIS", "Programa Nacional de Inversiones en Salud", "MINSA"),
    ("unit", "OPMI del MINSA", "OPMI-MINSA", "Oficina de Programación Multianual de Inversiones del MINSA", "MINSA"),
    ("unit", "Provías Descentralizado", "PVD", "Proyecto Especial de Infraestructura de Transporte Descentralizado",
     "MTC"),
    ("unit", "PNSR", "PNSR", "Programa Nacional de Saneamiento Rural", "MVCS"),
    ("unit", "PRONIED", "PRONIED", "Programa Nacional de Infraestructura Educativa", "MINEDU"),
    ("unit", "PSI", "PSI", "Programa Subsectorial de Irrigaciones", "MIDAGRI"),
    ("unit", "DGER", "DGER", "Dirección General de Electrificación Rural", "MINEM"),
    ("unit", "FONDEPES", "FONDEPES", "Fondo Nacional de Desarrollo Pesquero", "PRODUCE"),
    ("health_network", "Red de Salud La Convención", None, "Red de Salud La Convención (DIRESA Cusco)", None),
    ("health_network", "Red de Salud Cusco Sur", None, "Red de Salud Cusco Sur (DIRESA Cusco)", None),
    ("municipality", "Municipalidad Provincial de Espinar", None, None, None),
    ("municipality", "Municipalidad Provincial de Huamanga", None, None, None),
    ("other", "ARCC", "ARCC", "Autoridad para la Reconstrucción con Cambios", None),
]

# Provinces and towns by region, for the texts.
PLACES = {
    "Amazonas": ["Bagua", "Condorcanqui", "Utcubamba", "Chachapoyas"],
    "Áncash": ["Huaraz", "Santa", "Huari", "Casma", "Carhuaz"],
    "Apurímac": ["Andahuaylas", "Abancay", "Chincheros", "Cotabambas"],
    "Arequipa": ["Caylloma", "Camaná", "Islay", "Castilla"],
    "Ayacucho": ["Huanta", "La Mar", "Lucanas", "Huamanga", "Vilcas Huamán"],
    "Cajamarca": ["Jaén", "Chota", "Cutervo", "Celendín"],
    "Callao": ["Ventanilla", "Bellavista", "Mi Perú"],
    "Cusco": ["La Convención", "Espinar", "Canchis", "Quispicanchi", "Chumbivilcas"],
    "Huancavelica": ["Tayacaja", "Angaraes", "Acobamba", "Castrovirreyna"],
    "Huánuco": ["Leoncio Prado", "Ambo", "Puerto Inca", "Dos de Mayo"],
    "Ica": ["Chincha", "Pisco", "Nasca", "Palpa"],
    "Junín": ["Satipo", "Chanchamayo", "Jauja", "Huancayo", "Tarma"],
    "La Libertad": ["Otuzco", "Sánchez Carrión", "Pataz", "Chepén"],
    "Lambayeque": ["Ferreñafe", "Olmos", "Motupe", "Lambayeque"],
    "Lima": ["Huaral", "Cañete", "Huaura", "Yauyos"],
    "Lima Metropolitana": ["San Juan de Lurigancho", "Comas", "Villa El Salvador", "Ate"],
    "Loreto": ["Alto Amazonas", "Datem del Marañón", "Requena", "Mariscal Ramón Castilla"],
    "Madre de Dios": ["Tambopata", "Manu", "Tahuamanu"],
    "Moquegua": ["Ilo", "Mariscal Nieto", "General Sánchez Cerro"],
    "Pasco": ["Oxapampa", "Daniel Alcides Carrión", "Pasco"],
    "Piura": ["Sullana", "Paita", "Morropón", "Ayabaca", "Huancabamba"],
    "Puno": ["Azángaro", "Melgar", "Chucuito", "Carabaya", "San Román"],
    "San Martín": ["Moyobamba", "Tocache", "Lamas", "Bellavista"],
    "Tacna": ["Candarave", "Tarata", "Jorge Basadre"],
    "Tumbes": ["Zarumilla", "Contralmirante Villar", "Tumbes"],
    "Ucayali": ["Atalaya", "Padre Abad", "Purús", "Coronel Portillo"],
}

FIRST_NAMES = ["Juan", "María", "Carlos", "Rosa", "Luis", "Elena", "Víctor", "Gladys", "Alberto", "Norma",
               "César", "Yolanda", "Walter", "Maribel", "Edgar", "Liliana", "Héctor", "Nelly", "Percy", "Ruth"]
SURNAMES = ["Quispe", "Huamán", "Mamani", "Flores", "Rojas", "Vargas", "Chávez", "Ramos", "Castro", "Torres",
            "Mendoza", "Cárdenas", "Gutiérrez", "Salazar", "Ccori", "Paucar", "Medina", "Aguilar", "Vilca", "Soto"]

SECTOR_PEOPLE = {
    # sector acronym: (minister's position, vice-minister's position)
    "MINSA": ("Ministro de Salud", "Viceministro de Prestaciones y Aseguramiento en Salud"),
    "MTC": ("Ministro de Transportes y Comunicaciones", "Viceministro de Transportes"),
    "MVCS": ("Ministra de Vivienda, Construcción y Saneamiento", "Viceministro de Construcción y Saneamiento"),
    "MINEDU": ("Ministra de Educación", "Viceministro de Gestión Institucional"),
    "MIDAGRI": ("Ministro de Desarrollo Agrario y Riego", "Viceministra de Desarrollo de Agricultura Familiar"),
    "MINEM": ("Ministro de Energía y Minas", "Viceministro de Electricidad"),
    "PRODUCE": ("Ministra de la Producción", "Viceministro de Pesca y Acuicultura"),
}

# The sessions, newest last. ``days_ago`` is counted back from the day the demo is loaded,
# so that some commitments are always overdue and some due soon; ``due_soon`` makes the first
# N commitments of each region block fall due within the next two weeks.
SESSIONS = [
    dict(sector="MTC", body="GORE Ejecutivo", edition=5, session_type="ordinaria", modality="presencial",
         days_ago=470, place="Huamanga", regions=["Apurímac", "Ayacucho", "Huancavelica", "Junín"], per_region=5),
    dict(sector="MVCS", body="GORE Ejecutivo", edition=6, session_type="ordinaria", modality="presencial",
         days_ago=400, place="Piura", regions=["Piura", "Tumbes", "Lambayeque", "Cajamarca", "La Libertad"],
         per_region=4),
    dict(sector="MINEDU", body="GORE Ejecutivo", edition=None, session_type="extraordinaria", modality="virtual",
         days_ago=330, place=None, regions=["Loreto", "Ucayali", "San Martín", "Amazonas"], per_region=5,
         absent=["Madre de Dios"]),
    dict(sector="MIDAGRI", body="GORE Ejecutivo", edition=7, session_type="ordinaria", modality="presencial",
         days_ago=270, place="Juliaca", regions=["Puno", "Cusco", "Arequipa", "Moquegua", "Tacna"], per_region=4),
    dict(sector="MINEM", body="GORE Ejecutivo", edition=None, session_type="ordinaria", modality="virtual",
         days_ago=210, place=None, regions=["Madre de Dios", "Pasco", "Huánuco", "Ica"], per_region=5),
    dict(sector="MVCS", body="Muni Ejecutivo", edition=2, session_type="ordinaria", modality="presencial",
         days_ago=160, place="Lima", regions=["Lima Metropolitana", "Callao", "Lima", "Áncash"], per_region=5),
    dict(sector="MINSA", body="Consejo Regional de Salud de Cusco", edition=None, session_type="ordinaria",
         modality="presencial", days_ago=120, place="Cusco", regions=["Cusco"], per_region=12),
    dict(sector="PRODUCE", body="GORE Ejecutivo", edition=8, session_type="ordinaria", modality="presencial",
         days_ago=75, place="Chimbote", regions=["Piura", "Áncash", "Ica", "Arequipa", "Tumbes"], per_region=4,
         absent=["Lambayeque"]),
    dict(sector="MINSA", body="GORE Ejecutivo", edition=9, session_type="ordinaria", modality="presencial",
         days_ago=40, place="Abancay", regions=["Cusco", "Puno", "Ayacucho", "Huancavelica", "Apurímac"],
         per_region=4),
    dict(sector="MTC", body="GORE Ejecutivo", edition=None, session_type="extraordinaria", modality="virtual",
         days_ago=12, place=None, regions=["Cusco", "Junín", "Huánuco", "Loreto"], per_region=4,
         due_soon=2),
]

OTHER_TOPICS = [
    "El Gobierno Regional solicitó asistencia técnica para la formulación de proyectos de inversión.",
    "Se informó sobre el estado de la cartera de proyectos priorizados en el PMI {year}.",
    "Se acordó realizar una visita de campo conjunta antes de la próxima sesión.",
    "El sector presentó el calendario de transferencias de partidas del presente año fiscal.",
]

# Topic pools per sector: (topic text, [commitment templates]). A template's keys:
# t text, r responsible (free text), o responsible organizations (names; "{region}" is the
# block's regional government), d deliverable, n (low, high) target, cui has an investment code,
# due (low, high) days after the session.
POOLS: dict[str, list[tuple[str, list[dict]]]] = {
    "MINSA": [
        ("Brecha de infraestructura hospitalaria en {prov}.", [
            dict(t="Culminar el expediente técnico del Hospital de {prov} y remitirlo a PRONIS para su revisión.",
                 r="Gobierno Regional; PRONIS", o=["PRONIS", "{region}"], d="Expediente técnico aprobado",
                 cui=True, due=(60, 120)),
            dict(t="Gestionar la transferencia de partidas para iniciar la obra del Hospital de {prov}.",
                 r="MINSA - OGPPM", o=["MINSA"], d="Decreto Supremo de transferencia de partidas",
                 cui=True, due=(90, 180)),
        ]),
        ("Abastecimiento de oxígeno medicinal en los hospitales de la región.", [
            dict(t="Instalar una planta generadora de oxígeno medicinal en el Hospital de {prov}.",
                 r="MINSA", o=["MINSA"], d="Planta de oxígeno operativa con acta de conformidad", n=(1, 1),
                 cui=True, due=(45, 90)),
            dict(t="Distribuir {n} balones de oxígeno de 10 m³ a los establecimientos de salud de {prov}.",
                 r="DIGEMID; DIRESA", o=["MINSA"], d="Actas de entrega de balones", n=(80, 300), due=(20, 45)),
        ]),
        ("Déficit de recursos humanos en el primer nivel de atención.", [
            dict(t="Asignar {n} plazas SERUMS adicionales para los establecimientos de salud de {prov}.",
                 r="MINSA - DIGEP", o=["MINSA"], d="Relación de plazas adjudicadas", n=(10, 40), due=(30, 75)),
            dict(t="Evaluar la continuidad del personal CAS contratado durante la emergencia sanitaria en {prov}.",
                 r="MINSA - DIGEP; Gobierno Regional", o=["MINSA", "{region}"], d="Informe técnico de evaluación",
                 due=(30, 60)),
        ]),
        ("Equipamiento de centros de salud estratégicos.", [
            dict(t="Adquirir equipamiento biomédico para {n} centros de salud estratégicos de {prov}.",
                 r="PRONIS", o=["PRONIS"], d="Órdenes de compra y actas de instalación", n=(3, 8), cui=True,
                 due=(90, 150)),
        ]),
        ("Alta prevalencia de anemia en menores de 36 meses.", [
            dict(t="Ejecutar una campaña de tamizaje y suplementación con hierro para {n} niños de {prov}.",
                 r="DIRESA; Municipalidades", o=["{region}"], d="Informe de cobertura de tamizaje",
                 n=(2000, 8000), due=(45, 90)),
        ]),
        ("Transporte asistencial y referencias.", [
            dict(t="Entregar {n} ambulancias rurales tipo II a la Dirección Regional de Salud para {prov} y {prov2}.",
                 r="MINSA", o=["MINSA"], d="Actas de entrega de ambulancias", n=(2, 6), due=(60, 120)),
        ]),
        ("Coberturas de vacunación por debajo de la meta.", [
            dict(t="Alcanzar el {n} % de cobertura de vacunación contra sarampión (SPR) en {prov}.",
                 r="DIRESA", o=["{region}"], d="Reporte de coberturas HIS", n=(90, 95), due=(60, 120)),
            dict(t="Realizar barridos de vacunación casa por casa en las zonas rurales de {prov}.",
                 r="DIRESA; Redes de salud", o=["{region}"], d="Informe de barrido", due=(30, 60)),
        ]),
        ("Atención de salud mental.", [
            dict(t="Implementar un Centro de Salud Mental Comunitario en {prov}.",
                 r="MINSA - Dirección de Salud Mental", o=["MINSA"], d="Resolución de funcionamiento",
                 n=(1, 1), due=(90, 180)),
        ]),
        ("Deudas por guardias hospitalarias y horas complementarias.", [
            dict(t="Transferir recursos para el pago de guardias hospitalarias pendientes del personal de {prov}.",
                 r="MINSA - OGPPM; MEF", o=["MINSA", "MEF"], d="Resolución de transferencia", due=(30, 60)),
        ]),
        ("Saneamiento físico legal de terrenos para establecimientos de salud.", [
            dict(t="Culminar el saneamiento físico legal del terreno del Centro de Salud de {prov}.",
                 r="Gobierno Regional; Municipalidad Provincial", o=["{region}"],
                 d="Inscripción registral del terreno", due=(60, 120)),
        ]),
        ("Telesalud en establecimientos alejados.", [
            dict(t="Implementar el servicio de telemedicina en {n} establecimientos de la red de salud de {prov}.",
                 r="MINSA - DIGTEL", o=["MINSA"], d="Establecimientos con teleconsulta activa", n=(5, 15),
                 due=(60, 120)),
        ]),
        ("Preparación ante heladas, friaje y lluvias intensas.", [
            dict(t="Brindar asistencia técnica para el plan de contingencia en salud ante heladas en {prov}.",
                 r="MINSA - DIGERD", o=["MINSA"], d="Plan de contingencia aprobado", due=(20, 40)),
            dict(t="Distribuir kits de medicamentos para infecciones respiratorias agudas en {prov}.",
                 r="CENARES", o=["MINSA"], d="Actas de distribución", n=(200, 800), due=(15, 30)),
        ]),
    ],
    "MTC": [
        ("Mantenimiento de la red vial departamental.", [
            dict(t="Transferir recursos para el mantenimiento periódico de la carretera departamental {prov} – "
                   "{prov2}.",
                 r="Provías Descentralizado", o=["Provías Descentralizado"], d="Convenio y transferencia ejecutada",
                 n=(25, 90), cui=True, due=(60, 120)),
            dict(t="Suscribir el convenio de gestión para el mantenimiento rutinario de caminos vecinales en {prov}.",
                 r="Provías Descentralizado; Gobierno Regional", o=["Provías Descentralizado", "{region}"],
                 d="Convenio suscrito", due=(30, 60)),
        ]),
        ("Puentes colapsados por las lluvias.", [
            dict(t="Instalar {n} puentes modulares en los tramos afectados de la red vial de {prov}.",
                 r="Provías Descentralizado", o=["Provías Descentralizado"], d="Puentes instalados y en servicio",
                 n=(1, 4), due=(45, 90)),
        ]),
        ("Conectividad y banda ancha.", [
            dict(t="Culminar la instalación de internet de banda ancha en {n} localidades de {prov}.",
                 r="PRONATEL", o=["MTC"], d="Localidades con servicio activo", n=(10, 60), due=(90, 180)),
        ]),
        ("Mejoramiento de la vía {prov} – {prov2}.", [
            dict(t="Elaborar el estudio de preinversión para el mejoramiento de la vía {prov} – {prov2}.",
                 r="Provías Nacional", o=["MTC"], d="Estudio de preinversión declarado viable", cui=True,
                 due=(120, 240)),
            dict(t="Presentar al Gobierno Regional el cronograma de ejecución de la obra.",
                 r="Provías Nacional", o=["MTC"], d="Cronograma de obra", due=(20, 40)),
        ]),
        ("Aeródromo de {prov}.", [
            dict(t="Evaluar la rehabilitación de la pista de aterrizaje del aeródromo de {prov}.",
                 r="MTC - DGAC; CORPAC", o=["MTC"], d="Informe técnico de evaluación", due=(60, 120)),
        ]),
        ("Licencias de conducir y seguridad vial.", [
            dict(t="Brindar asistencia técnica a la Dirección Regional de Transportes para emitir licencias "
                   "electrónicas.",
                 r="MTC - DGAT", o=["MTC"], d="Sistema de licencias electrónicas en producción", due=(30, 90)),
        ]),
        ("Emergencia vial por huaicos.", [
            dict(t="Habilitar el tránsito en la carretera {prov} – {prov2} con maquinaria de Provías Nacional.",
                 r="Provías Nacional", o=["MTC"], d="Vía transitable", due=(10, 25)),
        ]),
        ("Transporte terrestre interprovincial.", [
            dict(t="Realizar operativos conjuntos contra el transporte informal en la ruta {prov} – {prov2}.",
                 r="SUTRAN; Gobierno Regional", o=["MTC", "{region}"], d="Informe de operativos", n=(4, 12),
                 due=(30, 60)),
        ]),
    ],
    "MVCS": [
        ("Agua potable y saneamiento en zonas rurales.", [
            dict(t="Financiar la ejecución del proyecto de agua potable y saneamiento rural en {prov} para {n} "
                   "familias.",
                 r="PNSR", o=["PNSR"], d="Resolución de transferencia de recursos", n=(300, 1500), cui=True,
                 due=(90, 180)),
            dict(t="Brindar asistencia técnica a las JASS de {prov} para la cloración del agua.",
                 r="PNSR; Municipalidad Provincial", o=["PNSR"], d="JASS capacitadas", n=(10, 40), due=(30, 60)),
        ]),
        ("Planta de tratamiento de aguas residuales de {prov}.", [
            dict(t="Culminar la obra de la planta de tratamiento de aguas residuales de {prov}.",
                 r="MVCS - PNSU", o=["MVCS"], d="Acta de recepción de obra", cui=True, due=(120, 240)),
        ]),
        ("Vivienda social.", [
            dict(t="Asignar {n} Bonos Familiares Habitacionales en la modalidad de construcción en sitio propio en "
                   "{prov}.",
                 r="Fondo MIVIVIENDA", o=["MVCS"], d="Relación de bonos asignados", n=(100, 500), due=(60, 120)),
        ]),
        ("Drenaje pluvial en la ciudad de {prov}.", [
            dict(t="Elaborar el expediente técnico del sistema de drenaje pluvial de {prov}.",
                 r="MVCS; ARCC", o=["MVCS", "ARCC"], d="Expediente técnico aprobado", cui=True, due=(90, 180)),
        ]),
        ("Intervenciones de reconstrucción pendientes.", [
            dict(t="Priorizar en el plan de la Autoridad para la Reconstrucción con Cambios las defensas ribereñas "
                   "de {prov}.",
                 r="ARCC", o=["ARCC"], d="Oficio de priorización", due=(30, 60)),
        ]),
        ("Formalización de la propiedad urbana.", [
            dict(t="Formalizar {n} predios urbanos en {prov} a través de COFOPRI.",
                 r="COFOPRI", o=["MVCS"], d="Títulos de propiedad inscritos", n=(500, 3000), due=(120, 240)),
        ]),
        ("Continuidad del servicio de agua potable en {prov}.", [
            dict(t="Coordinar con la empresa prestadora la ampliación del horario de abastecimiento de agua en {prov}.",
                 r="MVCS; OTASS", o=["MVCS"], d="Plan de mejora de continuidad", due=(20, 45)),
            dict(t="Instalar {n} piletas públicas provisionales en los asentamientos humanos de {prov}.",
                 r="MVCS; Municipalidad", o=["MVCS"], d="Piletas instaladas", n=(10, 40), due=(30, 60)),
        ]),
        ("Viviendas ante heladas y friaje.", [
            dict(t="Entregar {n} viviendas térmicas Sumaq Wasi a familias de {prov}.",
                 r="MVCS - PNVR", o=["MVCS"], d="Actas de entrega de viviendas", n=(40, 200), due=(90, 150)),
        ]),
    ],
    "MINEDU": [
        ("Locales escolares en riesgo.", [
            dict(t="Ejecutar el mantenimiento preventivo de {n} locales escolares de {prov}.",
                 r="PRONIED", o=["PRONIED"], d="Fichas de mantenimiento ejecutado", n=(20, 90), due=(45, 90)),
            dict(t="Instalar aulas prefabricadas en las instituciones educativas declaradas inhabitables de {prov}.",
                 r="PRONIED", o=["PRONIED"], d="Aulas prefabricadas en uso", n=(4, 20), cui=True, due=(30, 75)),
        ]),
        ("Contratación docente en educación intercultural bilingüe.", [
            dict(t="Adjudicar {n} plazas docentes para instituciones educativas bilingües de {prov}.",
                 r="MINEDU - DIGEIBIRA; UGEL", o=["MINEDU"], d="Resoluciones de contrato", n=(20, 80),
                 due=(20, 45)),
        ]),
        ("Conectividad para estudiantes de zonas rurales.", [
            dict(t="Distribuir {n} tabletas con conectividad a estudiantes de zonas rurales de {prov}.",
                 r="MINEDU - DITE", o=["MINEDU"], d="Actas de entrega a las UGEL", n=(500, 3000), due=(30, 60)),
        ]),
        ("Alimentación escolar desde el primer día de clases.", [
            dict(t="Asegurar la entrega de raciones del programa de alimentación escolar en {prov} desde el inicio "
                   "del año escolar.",
                 r="MIDIS - Qali Warma; UGEL", o=["MIDIS"], d="Reporte de atención", due=(20, 40)),
        ]),
        ("Colegio de Alto Rendimiento de {region}.", [
            dict(t="Evaluar la ampliación de la infraestructura del COAR {region}.",
                 r="MINEDU - DEBEDSAR", o=["MINEDU"], d="Informe técnico de evaluación", cui=True, due=(60, 120)),
        ]),
        ("Transporte escolar fluvial.", [
            dict(t="Entregar {n} deslizadores para el transporte escolar fluvial en {prov}.",
                 r="MINEDU; Gobierno Regional", o=["MINEDU", "{region}"], d="Actas de entrega", n=(2, 10),
                 due=(60, 120)),
        ]),
        ("Nuevas instituciones educativas en {prov}.", [
            dict(t="Culminar el saneamiento del terreno para la nueva institución educativa de {prov}.",
                 r="Gobierno Regional; UGEL", o=["{region}"], d="Certificado de búsqueda catastral y título",
                 due=(60, 120)),
            dict(t="Incluir el proyecto de la I.E. de {prov} en la cartera priorizada del sector.",
                 r="MINEDU - OPMI", o=["MINEDU"], d="PMI actualizado", cui=True, due=(45, 90)),
        ]),
        ("Materiales educativos en lenguas originarias.", [
            dict(t="Distribuir materiales educativos en lenguas originarias a las escuelas de {prov}.",
                 r="MINEDU - DIGEIBIRA", o=["MINEDU"], d="Guías de remisión a las UGEL", n=(2000, 9000),
                 due=(30, 60)),
        ]),
    ],
    "MIDAGRI": [
        ("Infraestructura de riego en {prov}.", [
            dict(t="Financiar la ejecución del mejoramiento del canal de riego de {prov} para {n} hectáreas.",
                 r="PSI", o=["PSI"], d="Convenio y transferencia de recursos", n=(300, 2500), cui=True,
                 due=(90, 180)),
            dict(t="Instalar sistemas de riego tecnificado para {n} hectáreas en {prov}.",
                 r="PSI; Agencia Agraria", o=["PSI"], d="Sistemas instalados y operativos", n=(50, 400),
                 due=(60, 150)),
        ]),
        ("Siembra y cosecha de agua.", [
            dict(t="Construir {n} qochas para siembra y cosecha de agua en las comunidades de {prov}.",
                 r="Fondo Sierra Azul", o=["MIDAGRI"], d="Qochas construidas", n=(5, 30), cui=True, due=(90, 180)),
        ]),
        ("Heladas y friaje en la ganadería altoandina.", [
            dict(t="Entregar {n} kits veterinarios y cobertizos para alpacas a productores de {prov}.",
                 r="AGRO RURAL", o=["MIDAGRI"], d="Padrón de productores beneficiados", n=(300, 1500),
                 due=(30, 60)),
        ]),
        ("Seguro agrario para pequeños productores.", [
            dict(t="Ampliar la cobertura del Seguro Agrario Catastrófico a los productores de {prov}.",
                 r="MIDAGRI - DGASFS", o=["MIDAGRI"], d="Resolución de ampliación de cobertura", due=(45, 90)),
        ]),
        ("Sanidad agraria.", [
            dict(t="Ejecutar la campaña de control de la mosca de la fruta en los valles de {prov}.",
                 r="SENASA", o=["MIDAGRI"], d="Informe de la campaña", n=(500, 3000), due=(45, 90)),
        ]),
        ("Titulación de predios rurales y comunidades campesinas.", [
            dict(t="Titular {n} predios rurales de comunidades campesinas de {prov}.",
                 r="MIDAGRI - DIGESPACR; Gobierno Regional", o=["MIDAGRI", "{region}"], d="Títulos inscritos",
                 n=(100, 800), due=(120, 240)),
        ]),
        ("Abastecimiento de fertilizantes.", [
            dict(t="Distribuir guano de islas a los productores organizados de {prov}.",
                 r="AGRO RURAL", o=["MIDAGRI"], d="Toneladas distribuidas", n=(50, 400), due=(20, 45)),
        ]),
        ("Forestación y reforestación.", [
            dict(t="Instalar {n} hectáreas de plantaciones forestales en las cabeceras de cuenca de {prov}.",
                 r="SERFOR; AGRO RURAL", o=["MIDAGRI"], d="Hectáreas instaladas", n=(50, 300), due=(90, 180)),
        ]),
    ],
    "MINEM": [
        ("Electrificación rural.", [
            dict(t="Culminar la obra de electrificación rural de las localidades de {prov} ({n} viviendas).",
                 r="DGER", o=["DGER"], d="Acta de recepción de obra", n=(200, 1200), cui=True, due=(90, 180)),
            dict(t="Elaborar el expediente para ampliar la frontera eléctrica a los centros poblados de {prov}.",
                 r="DGER; Gobierno Regional", o=["DGER", "{region}"], d="Expediente técnico aprobado", cui=True,
                 due=(60, 120)),
        ]),
        ("Masificación del gas natural.", [
            dict(t="Incluir a {prov} en el programa de masificación del gas natural con {n} conexiones domiciliarias.",
                 r="MINEM - DGH", o=["MINEM"], d="Conexiones habilitadas", n=(1000, 6000), due=(120, 240)),
        ]),
        ("Formalización de la pequeña minería y minería artesanal.", [
            dict(t="Instalar una mesa técnica para la formalización minera en {prov}.",
                 r="MINEM - DGFM; Dirección Regional de Energía y Minas", o=["MINEM", "{region}"],
                 d="Acta de instalación y plan de trabajo", due=(20, 45)),
        ]),
        ("Energía en comunidades aisladas.", [
            dict(t="Instalar {n} sistemas fotovoltaicos domiciliarios en comunidades aisladas de {prov}.",
                 r="DGER", o=["DGER"], d="Sistemas instalados", n=(100, 900), due=(90, 180)),
        ]),
        ("Vale de descuento FISE.", [
            dict(t="Ampliar la entrega de vales de descuento FISE para balones de gas en {prov}.",
                 r="FISE - OSINERGMIN", o=["MINEM"], d="Padrón de beneficiarios ampliado", n=(1000, 5000),
                 due=(30, 60)),
        ]),
        ("Pasivos ambientales mineros.", [
            dict(t="Remediar los pasivos ambientales mineros priorizados en {prov}.",
                 r="Activos Mineros S.A.C.", o=["MINEM"], d="Informe de cierre de pasivos", n=(2, 10), cui=True,
                 due=(120, 240)),
        ]),
        ("Alumbrado público en capitales de distrito.", [
            dict(t="Mejorar el alumbrado público en las capitales de distrito de {prov}.",
                 r="Empresa distribuidora; MINEM", o=["MINEM"], d="Informe de luminarias instaladas", n=(200, 900),
                 due=(45, 90)),
        ]),
    ],
    "PRODUCE": [
        ("Desembarcadero pesquero artesanal de {prov}.", [
            dict(t="Culminar la obra del desembarcadero pesquero artesanal de {prov}.",
                 r="FONDEPES", o=["FONDEPES"], d="Acta de recepción de obra", cui=True, due=(90, 180)),
            dict(t="Transferir la operación del desembarcadero a la organización de pescadores de {prov}.",
                 r="FONDEPES; Gobierno Regional", o=["FONDEPES", "{region}"], d="Convenio de operación",
                 due=(60, 120)),
        ]),
        ("Modernización de mercados de abastos.", [
            dict(t="Financiar la modernización del mercado de abastos de {prov}.",
                 r="PRODUCE - PNDP", o=["PRODUCE"], d="Resolución de transferencia", cui=True, due=(90, 150)),
        ]),
        ("Acceso de las MYPE a servicios empresariales.", [
            dict(t="Implementar un Centro de Desarrollo Empresarial en {prov}.",
                 r="PRODUCE - Tu Empresa", o=["PRODUCE"], d="Centro en funcionamiento", n=(1, 1), due=(45, 90)),
            dict(t="Incorporar {n} MYPE de {prov} en el programa Compras a MYPErú.",
                 r="PRODUCE - FONCODES", o=["PRODUCE"], d="Relación de MYPE incorporadas", n=(20, 120),
                 due=(30, 60)),
        ]),
        ("Acuicultura de recursos limitados.", [
            dict(t="Brindar asistencia técnica y alevinos a {n} acuicultores de {prov}.",
                 r="PRODUCE - DGA; PNIPA", o=["PRODUCE"], d="Informe de asistencia técnica", n=(30, 200),
                 due=(45, 90)),
        ]),
        ("Parque industrial de {prov}.", [
            dict(t="Elaborar el estudio de preinversión del parque industrial de {prov}.",
                 r="PRODUCE - DGDE; Gobierno Regional", o=["PRODUCE", "{region}"], d="Estudio declarado viable",
                 cui=True, due=(120, 240)),
        ]),
        ("Pesca ilegal y control de la flota.", [
            dict(t="Fortalecer el control de la pesca ilegal en el litoral de {prov} con patrullajes conjuntos.",
                 r="PRODUCE - DGSFS; DICAPI", o=["PRODUCE"], d="Informe de patrullajes", n=(6, 24), due=(30, 60)),
        ]),
        ("Centro de innovación productiva (CITE).", [
            dict(t="Poner en funcionamiento el CITE agroindustrial de {prov}.",
                 r="ITP", o=["PRODUCE"], d="CITE operativo", cui=True, due=(90, 180)),
        ]),
    ],
}

NOTES = {
    "start": [
        "Se conformó el equipo técnico y se inició el plan de trabajo.",
        "Reunión de coordinación con el sector; se acordó el cronograma de actividades.",
        "El Gobierno Regional remitió la información solicitada por el sector.",
        "Se inició el proceso de contratación del consultor.",
        "Se designó al responsable del seguimiento en la gerencia regional.",
    ],
    "progress": [
        "Avance según informe de supervisión de obra.",
        "Expediente en revisión por la unidad formuladora; se levantan observaciones.",
        "Se obtuvo la certificación presupuestal.",
        "Proceso de selección convocado en el SEACE.",
        "Se levantaron las observaciones del sector.",
        "Se realizó la visita técnica conjunta y se suscribió el acta.",
    ],
    "submit": [
        "Se adjunta el acta de entrega y conformidad; se solicita la validación del sector.",
        "Actividad culminada; se remite el informe final para validación.",
        "Se alcanzó la meta comprometida; se solicita la conformidad del sector.",
    ],
    "validate": [
        "Validado: se verificó el acta de recepción y el informe final.",
        "Conforme. Se constató la entrega en la visita de campo.",
        "Validado con la documentación remitida por el Gobierno Regional.",
    ],
    "return": [
        "Observado: falta el acta de recepción firmada por la comisión.",
        "Se devuelve: el informe no acredita la meta comprometida.",
        "Observado: adjuntar fotografías y el reporte del sistema Invierte.pe.",
    ],
    "reprogram": [
        "Retraso en la transferencia de recursos por parte del MEF.",
        "Paralización de la obra por lluvias intensas en la zona.",
        "El proceso de selección se declaró desierto y se volvió a convocar.",
        "A solicitud del Gobierno Regional por reprogramación de su cartera.",
        "Observaciones al expediente técnico que requieren reformulación.",
    ],
    "fail": [
        "No se concretó: el Gobierno Regional no priorizó los recursos en el ejercicio fiscal.",
        "Venció el plazo sin avances; se cierra como no cumplido y se tratará en una nueva sesión.",
    ],
    "cancel": [
        "Se anula: la intervención quedó comprendida en el proyecto integral de la región.",
        "Se anula a solicitud del sector: la intervención la ejecuta la municipalidad provincial.",
        "Se anula por duplicidad con un compromiso de la sesión anterior.",
    ],
    "reopen": [
        "Se reabre: la verificación posterior encontró que el servicio no está operativo.",
    ],
}
