"""The short guide of each checklist step (what to do, why, how long), in place of the paper vade-mecum.

Written from the principal's vade-mecum and check-list (collège and lycée) and from what pixdeploy does at each
step; the certified grades and the register (LSU / LSL) follow the school's type.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Guide:
    what: tuple[str, ...]
    why: str
    how_long: str


def guide_for(step_number, *, college, grade, registry):
    """The guide of a step for a school: `grade` is « 3e » or « Terminales », `registry` « LSU » or « LSL »."""
    certified = (
        "les élèves de 3e" if college else "les élèves de Terminale, de CAP, de BTS (2e année) et de CPGE (2e année)"
    )
    guides = {
        1: Guide(
            what=(
                "Se connecter à l'espace de l'établissement avec son compte d'administrateur.",
                "Importer la liste des élèves : l'export SIECLE « ElevesSansAdresses » (Base élèves, menu "
                "Exportations, format XML)"
                + ("" if college else ", ou le fichier CSV des élèves pour un lycée agricole")
                + ". À refaire à chaque changement de classes : l'import met à jour, il ne supprime rien.",
                "Inviter un co-administrateur (adjoint, référent numérique) pour ne pas être seul à tout porter.",
            ),
            why="L'import crée le compte de chaque élève et les classes : sans lui, pas de suivi par classe ni "
            "d'inscription en certification.",
            how_long="15 minutes, l'import lui-même prend moins d'une minute.",
        ),
        2: Guide(
            what=(
                "Présenter Pix et le cadre de référence des compétences numériques (5 domaines, 16 compétences) "
                "en conseil pédagogique.",
                "Partager le calendrier de l'année : parcours de rentrée, formation, certification.",
                "Choisir avec les enseignants le parcours de rentrée de chaque niveau.",
            ),
            why="Ce sont les enseignants qui font passer les parcours et accompagnent les élèves : une équipe "
            "informée dès la rentrée fait gagner l'année.",
            how_long="30 minutes en conseil pédagogique.",
        ),
        3: Guide(
            what=(
                "Créer une campagne par niveau et récupérer son code ; choisir les modalités : en classe (salle "
                "informatique) et/ou à distance.",
                "Imprimer les fiches d'identifiants par classe, diffuser le code aux élèves et la lettre aux "
                "responsables légaux.",
                "Suivre l'avancée des élèves par classe et relancer ceux qui n'ont pas envoyé leurs résultats.",
            ),
            why="Le parcours de rentrée donne à chaque élève un aperçu de ses compétences et aux enseignants ses "
            "besoins de formation, avant les vacances de la Toussaint.",
            how_long="Une heure de classe par élève (10 minutes de présentation, puis le test) ; "
            "15 minutes par semaine de suivi.",
        ),
        4: Guide(
            what=(
                "Inviter les enseignants : chacun suit ses classes et leurs résultats.",
                "Analyser les résultats avec l'équipe (onglet Analyse de chaque campagne : sujets recommandés).",
                "Organiser l'accompagnement : un objectif simple par classe (5 compétences, environ 2 heures "
                "d'activité dans l'année), un suivi une fois par trimestre.",
            ),
            why="La certification se prépare tout au long de l'année : les besoins communs orientent les "
            "enseignements de chaque discipline.",
            how_long="Une heure de réunion d'équipe, puis 15 minutes par classe et par trimestre.",
        ),
        5: Guide(
            what=(
                "Lire le kit de certification : déroulé, salle, matériel, rôle du surveillant.",
                f"Planifier les sessions dans la période nationale : une salle et un créneau de 2 heures chacune, "
                f"assez de places pour tous les {grade}.",
                "Désigner un surveillant pour chaque session.",
            ),
            why=f"La certification est obligatoire pour {certified} (arrêté du 30 août 2019) ; les salles "
            "informatiques sont la ressource rare : les réserver tôt.",
            how_long="Une à deux heures avec l'emploi du temps.",
        ),
        6: Guide(
            what=(
                "Inscrire les élèves aux sessions, puis imprimer et remettre les convocations.",
                "Le jour de la session : le surveillant ouvre l'espace surveillant, confirme les présences et "
                "traite les signalements.",
                "Finaliser chaque session le jour même (signalements, procès-verbal), puis publier les résultats.",
                f"Transmettre les résultats au {registry} : le livret scolaire les récupère, ou les exporter.",
            ),
            why=f"Le résultat figure au {registry} et sur l'attestation que l'élève peut télécharger.",
            how_long="1 h 45 d'épreuve par session (plus le temps majoré), 15 minutes de finalisation, 10 minutes "
            "pour la transmission.",
        ),
    }
    return guides[step_number]
