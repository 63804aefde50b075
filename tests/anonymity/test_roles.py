"""Column roles suggested from names and values."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]

from anonymity.engine.roles import suggest_roles


def test_roles_from_names_and_values() -> None:
    frame = pd.DataFrame(
        {
            "Année de naissance": ["1980", "1975", "1980"],
            "date_naissance": ["1980-03-12", "1975-01-02", "1980-07-30"],
            "Sexe": ["F", "M", "F"],
            "colonne_x": ["a@b.fr", "c@d.fr", "e@f.fr"],
            "numero": ["185077511204372", "292016912308750", "167121305502175"],
            "id_patient": ["P1", "P1", "P2"],
            "diagnostic": ["I10", "E11", "I10"],
            "commentaire": ["Vu ce jour", "RAS", "Contrôle"],
            "obs": ["Patiente vue ce jour pour un contrôle de tension, traitement inchangé."] * 3,
            "divers": ["x", "y", "z"],
        }
    )
    roles = {column: value["role"] for column, value in suggest_roles(frame).items()}
    assert roles == {
        "Année de naissance": "quasi_identifier",
        "date_naissance": "direct_identifier",  # a full date of birth
        "Sexe": "quasi_identifier",
        "colonne_x": "direct_identifier",  # e-mail addresses
        "numero": "direct_identifier",  # NIR with valid keys
        "id_patient": "persistent_pseudonym",
        "diagnostic": "sensitive",
        "commentaire": "free_text",
        "obs": "free_text",  # long sentences
        "divers": "ignore",
    }
