"""The OpenAPI document in French: each English summary or description, and its French.

Keys are the English strings exactly as the document holds them; a string that reads the
same in both languages ("Latitude", "Longitude (WGS84)") is left out and stays as it is.
Code, field names, enum values, header names, P-codes and Markdown are kept as they are;
enum values get a French label in parentheses where the text names them.
"""

FRENCH: dict[str, str] = {
    # The title and introduction of the page.
    "GBV referral pathway directory and routing API": (
        "Circuit de référencement VBG : annuaire et orientation (API)"
    ),
    (
        "\n"
        "This page finds, in seconds, where to refer a survivor "
        "of gender-based violence: **medical**\n"
        "care, **psychosocial** support, **legal** aid and **safety**, open, accepting referrals,\n"
        "suited to the survivor, and in time.\n"
        "\n"
        "**To search:** open *Find where to refer a survivor* "
        "below, press **Try it out**, pick an\n"
        "example and change it (the place, the needs, what "
        "you know of the survivor, how long ago it\n"
        "happened), then press **Execute**. To read the answer as a numbered list, choose\n"
        "`text/plain` in the answer's *Media type* list first.\n"
        "\n"
        "The service never asks for a name, keeps no location "
        "you send, and never shows where a safe\n"
        "house is. The directory shipped with it is an **illustrative "
        "sample**: replace it with your\n"
        "verified local referral pathway before real use.\n"
        "\n"
        "For systems that connect to the service: see the [technical reference](/redoc).\n"
    ): (
        "\n"
        "Cette page trouve en quelques secondes où orienter "
        "une survivante de violences basées sur le\n"
        "genre : prise en charge **médicale**, soutien **psychosocial**, aide **juridique** et\n"
        "**sécurité**, ouverts, acceptant les orientations, adaptés à la survivante, et à temps.\n"
        "\n"
        "**Pour chercher :** ouvrez *Trouver où orienter une survivante* ci-dessous, appuyez sur\n"
        "**Try it out** (essayer), choisissez un exemple "
        "et modifiez-le (le lieu, les besoins, ce que\n"
        "vous savez de la survivante, depuis quand les faits "
        "ont eu lieu), puis appuyez sur **Execute**\n"
        "(exécuter). Pour lire la réponse comme une liste "
        "numérotée, choisissez d'abord `text/plain`\n"
        "dans la liste *Media type* de la réponse.\n"
        "\n"
        "Le service ne demande jamais de nom, ne garde aucun "
        "lieu que vous envoyez et ne montre jamais\n"
        "où se trouve une maison d'accueil sécurisée. L'annuaire livré avec lui est un **exemple\n"
        "illustratif** : remplacez-le par votre circuit de "
        "référencement local vérifié avant tout usage.\n"
        "\n"
        "Pour les systèmes qui se connectent au service : voir la [référence technique](/redoc).\n"
    ),
    # Operations: summaries, descriptions, parameters, responses and example names.
    "Find where to refer a survivor": "Trouver où orienter une survivante",
    (
        "Where should this survivor be referred, in what order, and why?\n"
        "\n"
        "Say **where** with one of: `lat` and `lon`, a `pcode` "
        "(e.g. `CF7113`, the 3rd arrondissement\n"
        "of Bangui), or a `place` name (`Bégoua`, `Bimbo`, "
        "`3e arrondissement`). Say **what for** with\n"
        "one or more `needs` (`medical`, `psychosocial`, "
        "`legal`, `safety`, `case_management`, or a\n"
        "precise code such as `medical.pep`). Add what you know of the survivor (`age`, `sex`,\n"
        "`languages`, `accessibility`) and **how long ago** it happened (`time_since_incident`):\n"
        "`lt72h` (less than 72 hours: places able to give PEP come first), `72to120h` (72 to 120\n"
        "hours: emergency contraception first), `gt120h` "
        "(more than 120 hours) or `unknown` (treated\n"
        "as less than 72 hours).\n"
        "\n"
        "The answer gives the safe entry points first (case "
        "management or a hotline, always at least\n"
        "one), then the best options for each need, each "
        "with a one-line `summary`, its `reasons` and\n"
        "its `warnings`. Choose `text/plain` as the answer's "
        "media type to read it as a numbered list.\n"
        "Nothing is reported or contacted automatically, and the location you send is not stored."
    ): (
        "Vers où orienter cette survivante, dans quel ordre, et pourquoi ?\n"
        "\n"
        "Indiquez **où** avec l'un de ces choix : `lat` "
        "et `lon`, un `pcode` (par ex. `CF7113`, le 3e\n"
        "arrondissement de Bangui) ou un nom de lieu `place` "
        "(`Bégoua`, `Bimbo`, `3e arrondissement`).\n"
        "Indiquez **pour quoi** avec un ou plusieurs besoins `needs` (`medical`, `psychosocial`,\n"
        "`legal`, `safety`, `case_management`, ou un code "
        "précis comme `medical.pep`). Ajoutez ce que\n"
        "vous savez de la survivante (`age`, `sex`, `languages`, "
        "`accessibility`) et **depuis quand**\n"
        "les faits ont eu lieu (`time_since_incident`) : "
        "`lt72h` (moins de 72 heures : d'abord les\n"
        "structures qui donnent la PPE), `72to120h` (de "
        "72 à 120 heures : d'abord la contraception\n"
        "d'urgence), `gt120h` (plus de 120 heures) ou `unknown` "
        "(inconnu, traité comme moins de 72 h).\n"
        "\n"
        "La réponse donne d'abord les points d'entrée sûrs "
        "(gestion de cas ou ligne d'écoute, toujours\n"
        "au moins un), puis les meilleures options pour "
        "chaque besoin, chacune avec un résumé d'une\n"
        "ligne `summary`, ses raisons `reasons` et ses avertissements `warnings`. Choisissez\n"
        "`text/plain` comme type de la réponse pour la lire comme une liste numérotée.\n"
        "Rien n'est signalé ni personne contacté automatiquement, "
        "et le lieu envoyé n'est pas gardé."
    ),
    "Girl of 16 in the 3rd arrondissement, within 72 h: medical, psychosocial": (
        "Fille de 16 ans dans le 3e arrondissement, dans les 72 h : médical, psychosocial"
    ),
    "PEP near a point, within 72 h, explanations in English": (
        "PPE près d'un point, dans les 72 h, explications en anglais"
    ),
    "Bégoua: case management and legal aid": "Bégoua : gestion de cas et aide juridique",
    "Successful Response": "Réponse réussie",
    "A real answer of the sample directory (in English, Friday 27/11/2026 10:00)": (
        "Réponse réelle de l'annuaire d'exemple (en anglais, vendredi 27/11/2026 à 10 h)"
    ),
    "Unprocessable Entity": "Entrée invalide",
    "Service Unavailable": "Service indisponible",
    "Unauthorized": "Non autorisé",
    "Too Many Requests": "Trop de requêtes",
    "Bad Request": "Requête incorrecte",
    "Request Entity Too Large": "Requête trop volumineuse",
    "Find where to refer a survivor (query string)": (
        "Trouver où orienter une survivante (paramètres dans l'URL)"
    ),
    (
        "The same search with its fields as query parameters, for quick links "
        "and tests. Prefer `POST /v1/referrals/search` for real cases: a location "
        "in a URL ends up in browser histories and proxy logs."
    ): (
        "La même recherche, avec ses champs en paramètres d'URL, pour les liens rapides et les "
        "tests. Pour les vrais cas, préférez `POST /v1/referrals/search` : un lieu écrit dans "
        "une URL finit dans l'historique des navigateurs et dans les journaux des proxys."
    ),
    "Or a P-code of any level, e.g. CF7113": (
        "Ou un P-code de n'importe quel niveau, par ex. CF7113"
    ),
    "Or a place name: Bégoua, Bimbo, 3e arrondissement, a quartier…": (
        "Ou un nom de lieu : Bégoua, Bimbo, 3e arrondissement, un quartier…"
    ),
    "Need codes or sectors from GET /v1/needs, e.g. medical, legal.aid": (
        "Codes de besoin ou secteurs de GET /v1/needs, par ex. medical, legal.aid"
    ),
    "Age in years": "Âge en années",
    "female, male or intersex": "female (féminin), male (masculin) ou intersex (intersexe)",
    "Languages spoken, e.g. sg, fr": "Langues parlées, par ex. sg (sango), fr (français)",
    "Access needs, e.g. wheelchair": (
        "Besoins d'accessibilité, par ex. wheelchair (fauteuil roulant)"
    ),
    "Population group, e.g. idp, refugee": (
        "Groupe de population, par ex. idp (personne déplacée interne), refugee (personne réfugiée)"
    ),
    (
        "lt72h (less than 72 hours), 72to120h (72 to 120 hours), gt120h (more "
        "than 120 hours) or unknown (treated as less than 72 hours)"
    ): (
        "lt72h (moins de 72 heures), 72to120h (de 72 à 120 heures), gt120h (plus "
        "de 120 heures) ou unknown (inconnu, traité comme moins de 72 heures)"
    ),
    "Only providers open at `at` (or now)": (
        "Seulement les structures ouvertes au moment `at` (ou maintenant)"
    ),
    (
        "Evaluate opening hours at this moment instead of now: "
        "ISO 8601 with its UTC offset, between 1970 and 2099"
    ): (
        "Évaluer les horaires d'ouverture à ce moment au lieu de maintenant : "
        "ISO 8601 avec son décalage UTC, entre 1970 et 2099"
    ),
    "Leave out providers farther than this": (
        "Écarter les structures plus éloignées que cette distance"
    ),
    "Options per list": "Nombre d'options par liste",
    (
        "Language of the answer: fr or en. Left out, the request's "
        "Accept-Language header decides, else French"
    ): (
        "Langue de la réponse : fr ou en. S'il est omis, l'en-tête "
        "Accept-Language de la requête décide, sinon le français"
    ),
    "Count what each hard filter excluded": "Compter ce que chaque filtre strict a exclu",
    "List providers": "Lister les structures",
    (
        "Browse the directory page by page. Filter by a need (`medical.pep`, or a whole "
        "sector such as `medical`), by an administrative area (a P-code of any level, "
        "e.g. `CF7113` for the 3rd arrondissement of Bangui), by a bounding box or by "
        "status. To find where to refer a survivor, use the referral search instead: it "
        "ranks and explains. Send `Accept: application/geo+json` to get a GeoJSON "
        "FeatureCollection. Confidential locations (safe houses) are never shown."
    ): (
        "Parcourez l'annuaire page par page. Filtrez par besoin (`medical.pep`, ou un secteur "
        "entier comme `medical`), par zone administrative (un P-code de n'importe quel niveau, par "
        "ex. `CF7113` pour le 3e arrondissement de Bangui), par rectangle géographique ou par "
        "statut. Pour trouver où orienter une survivante, utilisez plutôt la recherche "
        "d'orientation : elle classe et explique. Envoyez `Accept: application/geo+json` pour "
        "obtenir une FeatureCollection GeoJSON. Les lieux confidentiels (maisons d'accueil "
        "sécurisées) ne sont jamais montrés."
    ),
    "The next_cursor of the previous page": "Le next_cursor de la page précédente",
    "Page size": "Taille de la page",
    "Need code or sector, e.g. medical.pep or legal": (
        "Code de besoin ou secteur, par ex. medical.pep ou legal"
    ),
    "P-code of any level, e.g. CF71 or CF7113": (
        "P-code de n'importe quel niveau, par ex. CF71 ou CF7113"
    ),
    "west,south,east,north in WGS84 decimal degrees, west <= east and south <= north": (
        "ouest,sud,est,nord en degrés décimaux WGS84, ouest <= est et sud <= nord"
    ),
    "Only providers in this status": "Seulement les structures qui ont ce statut",
    (
        "Only entries changed after this moment: ISO 8601 with its UTC offset, "
        "e.g. 2026-12-01T00:00:00Z. A date or a time without an offset is refused "
        "(422): read in an unknown time zone, it could skip a change."
    ): (
        "Seulement les fiches modifiées après ce moment : ISO 8601 avec son décalage UTC, par "
        "ex. 2026-12-01T00:00:00Z. Une date, ou une heure sans décalage, est refusée (422) : "
        "lue dans un fuseau horaire inconnu, elle pourrait faire manquer une modification."
    ),
    "Add a provider": "Ajouter une structure",
    (
        "Add a service point of your organization. Send `Idempotency-Key` (any unique "
        "string) so that a retry after a network failure cannot create it twice: for 24 "
        "hours the same key returns the first answer; the same key with another body is "
        "refused (422), and a duplicate sent while the first is still running gets 409. "
        "Should the first never answer (the server failed), its key is free again after "
        "a short lease (30 seconds by default): retry with the same key then."
    ): (
        "Ajoutez un point de service de votre organisation. Envoyez `Idempotency-Key` (n'importe "
        "quelle chaîne unique) pour qu'une nouvelle tentative après une panne de réseau ne "
        "puisse pas créer la fiche deux fois : pendant 24 heures, la même clé renvoie la première "
        "réponse ; la même clé avec un autre corps est refusée (422), et un doublon envoyé "
        "pendant que la première requête est encore en cours reçoit 409. Si la première requête "
        "ne répond jamais (panne du serveur), sa clé redevient libre après un court délai (30 "
        "secondes par défaut) : réessayez alors avec la même clé."
    ),
    "Any unique string": "N'importe quelle chaîne unique",
    "Forbidden": "Accès refusé",
    "Conflict": "Conflit",
    "Get one provider": "Voir une structure",
    (
        "One provider entry with all its services, opening hours and contacts. The `ETag` header "
        "changes whenever the entry changes; send it back in `If-None-Match` to get "
        "`304 Not Modified` when nothing changed. Send `Accept: application/geo+json` for a "
        "GeoJSON Feature."
    ): (
        "Une fiche de structure avec tous ses services, ses horaires d'ouverture et ses "
        "contacts. L'en-tête `ETag` change à chaque modification de la fiche ; renvoyez-le "
        "dans `If-None-Match` pour obtenir `304 Not Modified` quand rien n'a changé. Envoyez "
        "`Accept: application/geo+json` pour obtenir une Feature GeoJSON."
    ),
    "The provider's id, as listed by GET /v1/providers": (
        "L'identifiant de la structure, tel que donné par GET /v1/providers"
    ),
    "Send it back in If-None-Match (304 if unchanged) or If-Match (writes)": (
        "À renvoyer dans If-None-Match (304 si rien n'a changé) ou If-Match (écritures)"
    ),
    "Not modified": "Non modifié",
    "Not Found": "Introuvable",
    "Replace a provider": "Remplacer une structure",
    "Replace the whole entry. `If-Match` with the ETag you read is required.": (
        "Remplacez toute la fiche. `If-Match` avec l'ETag que vous avez lu est obligatoire."
    ),
    (
        'The ETag of the entry as you read it, e.g. "3". Without it the '
        "answer is 428; unless it names the entry's current ETag, 412."
    ): (
        "L'ETag de la fiche telle que vous l'avez lue, par ex. \"3\". Sans lui, la "
        "réponse est 428 ; s'il ne correspond pas à l'ETag actuel de la fiche, 412."
    ),
    "Precondition Failed": "Précondition non remplie",
    "Precondition Required": "Précondition requise",
    "Change some fields of a provider": "Modifier certains champs d'une structure",
    (
        "JSON Merge Patch (RFC 7396): send only the fields to change; `null` removes "
        "an optional field. `If-Match` with the ETag you read is required."
    ): (
        "JSON Merge Patch (RFC 7396) : envoyez seulement les champs à modifier ; `null` supprime "
        "un champ facultatif. `If-Match` avec l'ETag que vous avez lu est obligatoire."
    ),
    "Remove a provider": "Retirer une structure",
    (
        "Take the entry out of the directory and of search. It can be restored; "
        "the change feed carries the deletion. `If-Match` is required."
    ): (
        "Retirez la fiche de l'annuaire et de la recherche. Elle peut être restaurée ; "
        "le flux des modifications transmet la suppression. `If-Match` est obligatoire."
    ),
    "Restore a removed provider": "Restaurer une structure retirée",
    "Bring back an entry removed by mistake.": "Rétablissez une fiche retirée par erreur.",
    "Confirm a provider is still right": "Confirmer qu'une structure est toujours à jour",
    (
        "Say that you checked the entry and it is still correct: it is marked verified now, "
        "by your organization. Entries not verified for 90 days are demoted in search."
    ): (
        "Indiquez que vous avez vérifié la fiche et qu'elle est toujours exacte : elle "
        "est marquée vérifiée à cet instant, par votre organisation. Les fiches non "
        "vérifiées depuis 90 jours descendent dans les résultats de recherche."
    ),
    "History of a provider": "Historique d'une structure",
    (
        "Every change of the entry, who made it and what changed. "
        "For the entry's own organization and admins."
    ): (
        "Chaque modification de la fiche, qui l'a faite et ce qui a changé. "
        "Pour l'organisation de la fiche et les administrateurs."
    ),
    "Change feed": "Flux des modifications",
    (
        "Every accepted write in order — creations, changes, verifications, deletions (tombstones: "
        "`after` is null) and restorations — for systems that keep a copy of the directory. "
        "Start with `after=0`, then pass `next_after` until it comes back null. Unless your "
        "key belongs to the entry's organization or an admin: who made a change is not shown, "
        "and every event of an entry that is confidential now, or was in that event, shows "
        "its documents with the location withheld; an event that changed nothing you may "
        "see has `changes_withheld` true and null documents."
    ): (
        "Chaque écriture acceptée, dans l'ordre — créations, modifications, vérifications, "
        "suppressions (marqueurs de suppression : `after` vaut null) et restaurations — pour les "
        "systèmes qui gardent une copie de l'annuaire. Commencez avec `after=0`, puis passez "
        "`next_after` jusqu'à ce qu'il revienne à null. Sauf si votre clé appartient à "
        "l'organisation de la fiche ou à un administrateur : l'auteur d'une modification n'est "
        "pas montré, et chaque événement d'une fiche confidentielle aujourd'hui, ou qui l'était "
        "lors de cet événement, montre ses documents sans l'emplacement ; un événement qui n'a "
        "rien changé de ce que vous pouvez voir a `changes_withheld` à true et des documents null."
    ),
    "Last sequence already seen": "Dernier numéro de séquence déjà vu",
    "The directory as HXL-tagged CSV": "L'annuaire en CSV balisé HXL",
    (
        "One row per provider and need, a row of HXL hashtags under the headers (`#org`, "
        "`#loc`, `#sector +cluster`, `#service +code`, `#adm1`–`#adm3 +code`, `#geo`, "
        "`#contact`, `#status`, …), for 3W/4W sheets and HDX. Confidential service points "
        "have no coordinates nor admin units (`#x_location_withheld` is true)."
    ): (
        "Une ligne par structure et par besoin, et une ligne de hashtags HXL sous les en-têtes "
        "(`#org`, `#loc`, `#sector +cluster`, `#service +code`, `#adm1`–`#adm3 +code`, `#geo`, "
        "`#contact`, `#status`, …), pour les tableaux 3W/4W et HDX. Les points de service "
        "confidentiels n'ont ni coordonnées ni unités administratives (`#x_location_withheld` vaut "
        "true)."
    ),
    "List organizations": "Lister les organisations",
    "Every partner organization, with its id under /hsds/organizations.": (
        "Toutes les organisations partenaires, chacune "
        "avec son identifiant sous /hsds/organizations."
    ),
    "Add an organization (admins)": "Ajouter une organisation (administrateurs)",
    "An admin adds an organization; recorded in the audit trail (GET /v1/audit).": (
        "Un administrateur ajoute une organisation ; l'ajout "
        "est inscrit au journal d'audit (GET /v1/audit)."
    ),
    "Get one organization": "Voir une organisation",
    "The organization a provider's `organization_id` names.": (
        "L'organisation que désigne le champ `organization_id` d'une structure."
    ),
    "The organization's id, e.g. femmes-debout": (
        "L'identifiant de l'organisation, par ex. femmes-debout"
    ),
    "Change an organization (admins)": "Modifier une organisation (administrateurs)",
    (
        "An admin changes the fields sent (a merge patch; null clears); "
        "the id never changes. Recorded in the audit trail."
    ): (
        "Un administrateur modifie les champs envoyés (un JSON Merge Patch ; null efface la "
        "valeur) ; l'identifiant ne change jamais. La modification est inscrite au journal d'audit."
    ),
    "List an organization's keys (admins)": "Lister les clés d'une organisation (administrateurs)",
    "Its keys, revoked ones included: ids, roles, dates; never a key nor digest.": (
        "Ses clés, y compris les clés révoquées : identifiants, "
        "rôles, dates ; jamais une clé ni son empreinte."
    ),
    "Issue a key (admins)": "Délivrer une clé (administrateurs)",
    (
        "A new key for the organization, shown in this answer only (`Cache-Control: no-store`): "
        "store it now. Recorded in the audit trail."
    ): (
        "Une nouvelle clé pour l'organisation, montrée dans cette réponse seulement "
        "(`Cache-Control: no-store`) : conservez-la dès maintenant. La délivrance est inscrite au "
        "journal d'audit."
    ),
    "Revoke a key (admins)": "Révoquer une clé (administrateurs)",
    (
        "The key stops working at once (a worker that vouched for it while the "
        "database was away stops when it is back). Recorded in the audit trail."
    ): (
        "La clé cesse aussitôt de fonctionner (un processus du serveur qui la tenait pour "
        "valide pendant une indisponibilité de la base de données cesse de l'accepter "
        "dès le retour de la base). La révocation est inscrite au journal d'audit."
    ),
    "The key id, as listed": "L'identifiant de la clé, tel que donné dans la liste des clés",
    "The admin audit trail (admins)": "Journal d'audit de l'administration (administrateurs)",
    (
        "Changes to organizations and keys, by API and command line alike, oldest first: who (the "
        "admin key and its organization, or `via: cli`), when, the request id, before and after."
    ): (
        "Les modifications des organisations et des clés, faites par l'API comme en ligne de "
        "commande, de la plus ancienne à la plus récente : qui (la clé d'administrateur et son "
        "organisation, ou `via: cli`), quand, l'identifiant de la requête, l'avant et l'après."
    ),
    "Events after this": "Événements après ce numéro de séquence",
    "Events per page": "Nombre d'événements par page",
    "List the needs": "Lister les besoins",
    (
        "The controlled list of needs a referral can answer, with French "
        "and English labels. Asking for a sector (e.g. `medical`) matches "
        "all of its sub-codes (`medical.cmr`, `medical.pep`, …)."
    ): (
        "La liste contrôlée des besoins auxquels une orientation peut répondre, avec "
        "leurs libellés en français et en anglais. Demander un secteur (par ex. `medical`) "
        "couvre tous ses sous-codes (`medical.cmr`, `medical.pep`, …)."
    ),
    "List administrative areas": "Lister les zones administratives",
    (
        "Administrative areas with their OCHA P-codes (COD-AB CAF, version 201506): "
        "préfectures (level 1), sous-préfectures (2), communes and Bangui's arrondissements "
        "(3) and quartiers (4). Filter by level or by parent P-code."
    ): (
        "Les zones administratives avec leurs P-codes OCHA (COD-AB CAF, version 201506) : "
        "préfectures (niveau 1), sous-préfectures (2), communes et arrondissements de "
        "Bangui (3) et quartiers (4). Filtrez par niveau ou par P-code parent."
    ),
    "Administrative level": "Niveau administratif",
    "Parent P-code, e.g. CF711": "P-code parent, par ex. CF711",
    "Get one administrative area": "Voir une zone administrative",
    "One area by P-code, with its boundary polygon where the gazetteer has one.": (
        "Une zone par son P-code, avec le polygone de ses "
        "limites quand le répertoire géographique en a un."
    ),
    "P-code, e.g. CF7113": "P-code, par ex. CF7113",
    "Print the referral pathway of an area": "Imprimer le circuit de référencement d'une zone",
    (
        "One A4 page or more to pin in clinics, police posts and community centres: the entry "
        "points (case management, hotlines) first, then health (PEP within 72 h, emergency "
        "contraception within 120 h), psychosocial support, legal aid, safety, and the police, "
        "only if the survivor wishes; the guiding steps, and where the data comes from. Built "
        "from the directory as it stands, so print it again when it changes. Confidential "
        "providers show their front door only, never their address."
    ): (
        "Une page A4 ou plus, à afficher dans les centres de santé, les postes de police et les "
        "centres communautaires : d'abord les points d'entrée (gestion de cas, lignes d'écoute), "
        "puis la santé (PPE dans les 72 h, contraception d'urgence dans les 120 h), le soutien "
        "psychosocial, l'aide juridique, la sécurité, et la police, seulement si la survivante le "
        "souhaite ; les étapes à suivre, et l'origine des données. Le document est fait à partir "
        "de l'annuaire tel qu'il est aujourd'hui : imprimez-le de nouveau quand il change. Les "
        "structures confidentielles n'apparaissent que par leur point de contact, jamais par leur "
        "adresse."
    ),
    "Language of the sheet": "Langue du document imprimé",
    "About this HSDS API": "À propos de cette API HSDS",
    (
        "The HSDS version (3.0), the profile (the base HSDS "
        "3.0 schemas) and the OpenAPI document of this API."
    ): (
        "La version de HSDS (3.0), le profil (les schémas HSDS "
        "3.0 de base) et le document OpenAPI de cette API."
    ),
    "List HSDS services": "Lister les services HSDS",
    (
        "One HSDS service per provider and need. Filters are AND-ed. Besides the HSDS filters, "
        "`pcode` (an admin area of any level the service point lies in) and `lat`/`lon` with "
        "`proximity` (metres) find services in an area or near a point. Confidential service "
        "points (safe houses) are listed without any location and are never found by a location "
        "filter."
    ): (
        "Un service HSDS par structure et par besoin. Les filtres se cumulent (ET logique). "
        "En plus des filtres HSDS, `pcode` (une zone administrative de n'importe quel "
        "niveau où se trouve le point de service) et `lat`/`lon` avec `proximity` (en "
        "mètres) trouvent les services d'une zone ou proches d'un point. Les points de "
        "service confidentiels (maisons d'accueil sécurisées) sont listés sans aucun "
        "emplacement et ne sont jamais trouvés par un filtre de lieu."
    ),
    "A need or attribute term": "Un terme de besoin ou d'attribut",
    "Services with a term of it": "Services qui ont un terme de cette taxonomie",
    "HSDS organization id": "Identifiant d'organisation HSDS",
    "Changed on or after this moment (with its UTC offset)": (
        "Modifiés à ce moment ou après (avec son décalage UTC)"
    ),
    "Text in the name or description": "Texte à chercher dans le nom ou la description",
    "Ours: lying in this admin area": "Ajout de cette API : situés dans cette zone administrative",
    "Ours: near this latitude": "Ajout de cette API : près de cette latitude",
    "Ours: near this longitude": "Ajout de cette API : près de cette longitude",
    "Metres from lat/lon": "Distance en mètres depuis lat/lon",
    "Page number, from 1": "Numéro de page, à partir de 1",
    "Items per page": "Nombre d'éléments par page",
    "`ndjson` streams every result, one per line, without pages": (
        "`ndjson` envoie tous les résultats en flux, un par ligne, sans pagination"
    ),
    "An HSDS Page with `contents`, or NDJSON lines": (
        "Une Page HSDS avec `contents`, ou des lignes NDJSON"
    ),
    "Get one HSDS service, fully nested": "Voir un service HSDS, avec tous ses objets imbriqués",
    (
        "One service with its schedules, phones, contact role, languages, attributes "
        "and its service at location (a confidential one without its location)."
    ): (
        "Un service avec ses horaires, ses téléphones, la fonction de son contact, ses langues, "
        "ses attributs et son service en un lieu (sans le lieu s'il est confidentiel)."
    ),
    "The HSDS id (a UUID)": "L'identifiant HSDS (un UUID)",
    "List HSDS organizations": "Lister les organisations HSDS",
    (
        "All HSDS organizations, by id, as HSDS pages (`page`, "
        "`per_page`) or, with `format=ndjson`, one per line."
    ): (
        "Toutes les organisations HSDS, par identifiant, en pages HSDS "
        "(`page`, `per_page`) ou, avec `format=ndjson`, une par ligne."
    ),
    "Get one HSDS organization": "Voir une organisation HSDS",
    "One HSDS organization by its id (a UUID stable across answers and exports).": (
        "Une organisation HSDS, par son identifiant (un UUID "
        "stable d'une réponse et d'un export à l'autre)."
    ),
    "List HSDS service at locations": "Lister les services en un lieu HSDS (service_at_location)",
    (
        "All HSDS service at locations, by id, as HSDS pages (`page`, "
        "`per_page`) or, with `format=ndjson`, one per line."
    ): (
        "Tous les services en un lieu HSDS (service_at_location), par identifiant, "
        "en pages HSDS (`page`, `per_page`) ou, avec `format=ndjson`, un par ligne."
    ),
    "Get one HSDS service at location": "Voir un service en un lieu HSDS (service_at_location)",
    "One HSDS service at location by its id (a UUID stable across answers and exports).": (
        "Un service en un lieu HSDS, par son identifiant (un "
        "UUID stable d'une réponse et d'un export à l'autre)."
    ),
    "List HSDS taxonomies": "Lister les taxonomies HSDS",
    (
        "All HSDS taxonomies, by id, as HSDS pages (`page`, "
        "`per_page`) or, with `format=ndjson`, one per line."
    ): (
        "Toutes les taxonomies HSDS, par identifiant, en pages HSDS (`page`, "
        "`per_page`) ou, avec `format=ndjson`, une par ligne."
    ),
    "Get one HSDS taxonomy": "Voir une taxonomie HSDS",
    "One HSDS taxonomy by its id (a UUID stable across answers and exports).": (
        "Une taxonomie HSDS, par son identifiant (un UUID "
        "stable d'une réponse et d'un export à l'autre)."
    ),
    "List HSDS taxonomy terms": "Lister les termes de taxonomie HSDS",
    (
        "All HSDS taxonomy terms, by id, as HSDS pages (`page`, "
        "`per_page`) or, with `format=ndjson`, one per line."
    ): (
        "Tous les termes de taxonomie HSDS, par identifiant, en pages HSDS "
        "(`page`, `per_page`) ou, avec `format=ndjson`, un par ligne."
    ),
    "Get one HSDS taxonomy term": "Voir un terme de taxonomie HSDS",
    "One HSDS taxonomy term by its id (a UUID stable across answers and exports).": (
        "Un terme de taxonomie HSDS, par son identifiant (un "
        "UUID stable d'une réponse et d'un export à l'autre)."
    ),
    "Liveness": "Processus actif",
    "The process answers; says nothing of the database.": (
        "Le processus répond ; ne dit rien de la base de données."
    ),
    "Readiness": "Prêt à servir",
    (
        "Ready when the database answers; 503 while it cannot be reached. While only "
        "writes are blocked (another process holds the SQLite file's lock) the status "
        "is `read-only`, still 200: searches and reads go on, and every instance shares "
        "that file, so taking this one out of rotation would only stop them too."
    ): (
        "Prêt quand la base de données répond ; 503 tant qu'elle est injoignable. Quand "
        "seules les écritures sont bloquées (un autre processus tient le verrou du fichier "
        "SQLite), le statut est `read-only`, toujours en 200 : les recherches et les "
        "lectures continuent, et toutes les instances partagent ce fichier ; retirer "
        "celle-ci de la rotation ne ferait donc que les arrêter elles aussi."
    ),
    "Not ready": "Pas prêt",
    # Schemas and their fields.
    "What a survivor or caseworker must do to be seen.": (
        "Ce qu'il faut faire pour obtenir le service : `walk_in` (sans rendez-vous), "
        "`call_first` (appeler avant), `referral_form` (fiche de référencement requise), "
        "`case_management_only` (par un gestionnaire de cas uniquement)."
    ),
    "GeoJSON polygon, where known": "Polygone GeoJSON, s'il est connu",
    "A gazetteer unit with its boundary.": (
        "Une unité du répertoire géographique, avec ses limites."
    ),
    "Gazetteer units.": "Unités du répertoire géographique.",
    "A gazetteer unit (OCHA COD P-code).": (
        "Une unité du répertoire géographique (P-code COD d'OCHA)."
    ),
    "P-codes the provider lies in and the COD edition they come from.": (
        "Les P-codes des zones où se trouve la structure, et l'édition COD dont ils viennent."
    ),
    "Pass as `after` for the next page": "À passer comme `after` pour la page suivante",
    "A page of the admin audit trail.": "Une page du journal d'audit de l'administration.",
    "organization.create, organization.update, key.issue, key.revoke": (
        "organization.create (ajout d'une organisation), organization.update (modification d'une "
        "organisation), key.issue (délivrance d'une clé), key.revoke (révocation d'une clé)"
    ),
    "api or cli": "api (par l'API) ou cli (en ligne de commande)",
    "One change to an organization or a key, and who made it.": (
        "Une modification d'une organisation ou d'une clé, et qui l'a faite."
    ),
    "A page of changes.": "Une page de modifications.",
    "The entry's revision after this change": "La révision de la fiche après cette modification",
    "The id (not the secret) of the key used; for the entry's organization and admins only": (
        "L'identifiant (pas le secret) de la clé utilisée ; pour l'organisation "
        "de la fiche et les administrateurs seulement"
    ),
    "The organization of that key; for the entry's organization and admins only": (
        "L'organisation de cette clé ; pour l'organisation "
        "de la fiche et les administrateurs seulement"
    ),
    "The request's X-Request-ID; for the entry's organization and admins only": (
        "Le X-Request-ID de la requête ; pour l'organisation "
        "de la fiche et les administrateurs seulement"
    ),
    "The entry before; null on creation": "La fiche avant ; null à la création",
    "The entry after; null on deletion": "La fiche après ; null à la suppression",
    (
        "True when this change altered nothing this caller may see of "
        "a confidential entry: `before` and `after` are then null"
    ): (
        "Vaut true quand cette modification n'a rien changé de ce que cet appelant peut "
        "voir d'une fiche confidentielle : `before` et `after` valent alors null"
    ),
    "One accepted write.": "Une écriture acceptée.",
    "International number, kept in E.164": "Numéro international, enregistré au format E.164",
    "How to reach the provider: phone numbers in E.164 and a role, never a private person.": (
        "Comment joindre la structure : des numéros de téléphone au format "
        "E.164 et une fonction, jamais le contact privé d'une personne."
    ),
    "Whether survivors pay for a service.": (
        "Si le service est payant pour la survivante : `free` (gratuit), `fee` (payant)."
    ),
    "Who the service is for; leave a field out when there is no restriction.": (
        "À qui le service s'adresse ; omettez un champ quand il n'y a pas de restriction."
    ),
    "Providers excluded, by the first filter failed": (
        "Structures exclues, selon le premier filtre non satisfait"
    ),
    "How the hard filters narrowed the directory.": (
        "Comment les filtres stricts ont réduit l'annuaire."
    ),
    "read-only: searches and reads work, writes get 503 for now": (
        "read-only (lecture seule) : les recherches et les lectures "
        "fonctionnent, les écritures reçoivent 503 pour le moment"
    ),
    "Liveness or readiness.": "Processus actif ou prêt à servir.",
    "Send it as Authorization: Bearer <key>; store it now": (
        "À envoyer sous la forme Authorization: Bearer <key> ; conservez-la dès maintenant"
    ),
    "A key just issued: `key` is shown this once and never again.": (
        "Une clé qui vient d'être délivrée : la valeur de `key` "
        "est montrée cette seule fois, et plus jamais."
    ),
    "An organization's keys.": "Les clés d'une organisation.",
    "An API key as listed: never the key nor its digest.": (
        "Une clé d'API telle que listée : jamais la clé elle-même ni son empreinte."
    ),
    "partner: its own entries; admin: all": (
        "partner (partenaire) : les fiches de son organisation ; "
        "admin (administrateur) : toutes les fiches"
    ),
    "What key to issue.": "La clé à délivrer.",
    "A WGS84 point.": "Un point WGS84.",
    "How a provider reaches survivors.": (
        "Comment une structure atteint les survivantes : `static` (sur "
        "place), `mobile` (équipe mobile), `remote` (à distance)."
    ),
    "The taxonomy of needs.": "La taxonomie des besoins.",
    "Label by language (fr, en)": "Libellé par langue (fr, en)",
    "A taxonomy term.": "Un terme de la taxonomie.",
    "The best options for one of the requested needs.": (
        "Les meilleures options pour l'un des besoins demandés."
    ),
    "May repeat the id; never change it": "Peut répéter l'identifiant ; ne peut jamais le changer",
    "Fields to change (a JSON merge patch): what is left out stays, null clears.": (
        "Champs à modifier (un JSON Merge Patch) : ce qui "
        "est omis reste tel quel, null efface la valeur."
    ),
    "A partner organization.": "Une organisation partenaire.",
    "The kind of organization that runs providers.": (
        "Le type d'organisation qui gère des structures : `ngo` (ONG), `un` (agence des Nations "
        "unies), `government` (service de l'État), `community` (organisation communautaire)."
    ),
    "Every organization, by id.": "Toutes les organisations, par identifiant.",
    "Its id under /hsds/organizations": "Son identifiant sous /hsds/organizations",
    "A partner organization, with its id in the HSDS API.": (
        "Une organisation partenaire, avec son identifiant dans l'API HSDS."
    ),
    "True when its location is confidential to this caller": (
        "Vaut true quand son emplacement est confidentiel pour cet appelant"
    ),
    "Its services that answer the needs of its card (fields at their default left out)": (
        "Ceux de ses services qui répondent aux besoins de sa carte (`matched_needs`) ; "
        "les champs à leur valeur par défaut sont omis"
    ),
    "Rounded; absent for remote and confidential providers": (
        "Arrondie ; absente pour les structures à distance et pour les structures confidentielles"
    ),
    "Given instead of a distance when confidential": (
        "Donnée à la place d'une distance quand la structure est confidentielle"
    ),
    "Absent when the hours are unknown": "Absent quand les horaires sont inconnus",
    "When it next opens or closes, if it does": "Prochaine ouverture ou fermeture, le cas échéant",
    "Case management or a hotline": "Gestion de cas ou ligne d'écoute",
    "The requested needs it answers": "Les besoins demandés auxquels elle répond",
    "The option in one line, in the answer's language": (
        "L'option en une ligne, dans la langue de la réponse"
    ),
    "Why it is offered, urgency first. Codes, worded in the answer's `notes`": (
        "Pourquoi elle est proposée, l'urgence d'abord. Des codes, "
        "formulés dans les `notes` de la réponse"
    ),
    "What to know before referring. Codes, worded in the answer's `notes`": (
        "Ce qu'il faut savoir avant d'orienter. Des codes, formulés dans les `notes` de la réponse"
    ),
    (
        "Every code of the answer's reasons and warnings, to its sentence in the answer's "
        "language: the same for every option, since it says why a rule fired; what differs "
        "(a distance, the hours) is in each provider's fields and summary"
    ): (
        "Chaque code des raisons et avertissements de la réponse, avec sa phrase dans la "
        "langue de la réponse : la même pour chaque option, puisqu'elle dit pourquoi une "
        "règle s'est appliquée ; ce qui diffère (une distance, les horaires) est dans les "
        "champs et le résumé de chaque structure"
    ),
    (
        "A provider of the answer, given once however many lists hold it, with what the rules\n"
        "found of it for this case."
    ): (
        "Une structure de la réponse, donnée une seule fois "
        "quel que soit le nombre de listes qui la\n"
        "contiennent, avec ce que les règles en ont retenu pour ce cas."
    ),
    (
        "The organization the entry belongs to: a partner creates entries "
        "for its own, an admin for any known one. It cannot change afterwards: "
        "a PUT must repeat it and a PATCH may not set another (422)."
    ): (
        "L'organisation à laquelle appartient la fiche : un partenaire crée des fiches pour la "
        "sienne, un administrateur pour toute organisation connue. Elle ne peut plus changer "
        "ensuite : un PUT doit la répéter et un PATCH ne peut pas en indiquer une autre (422)."
    ),
    'Text by ISO 639 language code, e.g. {"fr": "…", "en": "…"}': (
        'Texte par code de langue ISO 639, par ex. {"fr": "…", "en": "…"}'
    ),
    "OpenStreetMap opening_hours, e.g. 24/7": (
        "Horaires au format opening_hours d'OpenStreetMap, par ex. 24/7"
    ),
    (
        "`restricted` for a confidential place (a safe house): only its own organization "
        "and admins see where it is. For everyone, search ranks it on its 0.05° grid "
        "cell, its `radius_km` from the cell's centre and its P-codes no finer than "
        "adm2; it may not declare a polygon. Never say where it is in a text field "
        "(name, description, source, notes): those are shown to all."
    ): (
        "`restricted` pour un lieu confidentiel (une maison d'accueil sécurisée) : seuls sa propre "
        "organisation et les administrateurs voient où il se trouve. Pour tous les autres, la "
        "recherche le classe d'après sa cellule de grille de 0,05°, son `radius_km` compté depuis "
        "le centre de la cellule et ses P-codes, jamais plus fins que le niveau adm2 ; il ne "
        "peut pas déclarer de polygone. N'écrivez jamais où il se trouve dans un champ de texte "
        "(nom, description, source, notes) : ces champs sont montrés à tous."
    ),
    (
        "When the entry was last confirmed right. Set by the server: POST "
        "/v1/providers/{id}/verify; a write body that sends it is refused (422)."
    ): (
        "Quand la fiche a été confirmée exacte pour la dernière fois. Fixé par le serveur : "
        "POST /v1/providers/{id}/verify ; un corps d'écriture qui l'envoie est refusé (422)."
    ),
    (
        "The organization that confirmed it. Set by the server: POST /v1/providers/{id}/verify; "
        "a write body that sends it is refused (422)."
    ): (
        "L'organisation qui l'a confirmée. Fixé par le serveur : POST /v1/providers/{id}/verify ; "
        "un corps d'écriture qui l'envoie est refusé (422)."
    ),
    (
        "How it was confirmed: partner, or sample for the shipped directory. Set by the server: "
        "POST /v1/providers/{id}/verify; a write body that sends it is refused (422)."
    ): (
        "Comment elle a été confirmée : partner (par un partenaire), ou sample pour "
        "l'annuaire d'exemple livré avec le service. Fixé par le serveur : POST "
        "/v1/providers/{id}/verify ; un corps d'écriture qui l'envoie est refusé (422)."
    ),
    "Where it is; leave out for a remote service (a hotline)": (
        "Où elle se trouve ; à omettre pour un service à distance (une ligne d'écoute)"
    ),
    "A provider entry as partners write it: everything they state, its location included.": (
        "Une fiche de structure telle que les partenaires l'écrivent : "
        "tout ce qu'ils déclarent, emplacement compris."
    ),
    "How many providers match the filters, all pages together": (
        "Nombre de structures qui correspondent aux filtres, toutes pages confondues"
    ),
    "Pass as `cursor` to get the next page; null on the last page": (
        "À passer comme `cursor` pour obtenir la page suivante ; null sur la dernière page"
    ),
    "One page of providers.": "Une page de structures.",
    "Null for remote providers and for confidential locations": (
        "Null pour les structures à distance et pour les emplacements confidentiels"
    ),
    "True when the location exists but is confidential to this caller": (
        "Vaut true quand l'emplacement existe mais est confidentiel pour cet appelant"
    ),
    (
        "Grows by one with every change; the ETag is built on it. Set "
        "by the server: a write body that sends it is refused (422)."
    ): (
        "Augmente de un à chaque modification ; l'ETag est construit à partir de ce numéro. "
        "Fixé par le serveur : un corps d'écriture qui l'envoie est refusé (422)."
    ),
    "Set by the server": "Fixé par le serveur",
    "Set by the server on every write": "Fixé par le serveur à chaque écriture",
    "A provider entry as the caller may see it.": (
        "Une fiche de structure telle que l'appelant peut la voir."
    ),
    "Its key in `providers`": "Sa clé dans `providers`",
    "The requested needs it answers in this list, when not those of its card": (
        "Les besoins demandés auxquels elle répond dans cette "
        "liste, quand ce ne sont pas ceux de sa carte"
    ),
    (
        "Urgency tier: 1 when it cannot give PEP (within 72 h) or emergency contraception "
        "(72 to 120 h) and others can; ordered before the score in medical lists, absent "
        "from the others"
    ): (
        "Niveau d'urgence : 1 quand elle ne peut pas donner la PPE (dans les "
        "72 h) ou la contraception d'urgence (de 72 à 120 h) alors que d'autres "
        "le peuvent ; passe avant le score dans les listes médicales, absent des autres"
    ),
    "With `matched_needs`: the services that answer them": (
        "Avec `matched_needs` : les services qui y répondent"
    ),
    (
        "What this list adds: the limit an entry point given for want of any other breaks. "
        "Codes, worded in the answer's `notes`"
    ): (
        "Ce que cette liste ajoute : la limite que dépasse un point d'entrée retenu faute "
        "d'un autre. Des codes, formulés dans les `notes` de la réponse"
    ),
    "A place in one list of the answer, best first; the provider itself is in `providers`.": (
        "Une place dans l'une des listes de la réponse, la meilleure d'abord ; "
        "la structure elle-même est dans `providers`."
    ),
    "Most precise first": "Le plus précis d'abord",
    "The administrative area the search ran in (never the coordinates).": (
        "La zone administrative où la recherche a été faite (jamais les coordonnées)."
    ),
    "What a key may do.": (
        "Ce qu'une clé permet de faire : `partner` (partenaire : les fiches de son organisation), "
        "`admin` (administrateur : toutes les fiches, les organisations et les clés)."
    ),
    "Where, what for and for whom. No name or identity: unknown fields are refused.": (
        "Où, pour quoi et pour qui. Ni nom ni identité : les champs inconnus sont refusés."
    ),
    "All matching options, best first": (
        "Toutes les options qui correspondent, la meilleure d'abord"
    ),
    "With several needs: the best per need": (
        "Avec plusieurs besoins : les meilleures options par besoin"
    ),
    "With several needs: providers covering many": (
        "Avec plusieurs besoins : les structures qui en couvrent plusieurs"
    ),
    (
        "Case management or a hotline covering the place, open to this survivor and within "
        "the asked distance: always at least one, with a warning if it breaks a limit"
    ): (
        "Gestion de cas ou ligne d'écoute qui couvre le lieu, ouverte "
        "à cette survivante et dans la distance demandée : toujours au "
        "moins une, avec un avertissement si elle dépasse une limite"
    ),
    "Every provider the lists refer to, once, by id": (
        "Chaque structure à laquelle renvoient les listes, une seule fois, par identifiant"
    ),
    "Ranked, explained referral options.": "Options d'orientation classées et expliquées.",
    "GeoJSON Polygon or MultiPolygon (WGS84)": "Polygon ou MultiPolygon GeoJSON (WGS84)",
    "Where the provider serves: a polygon, a radius around it, or a list of P-codes.": (
        "Où la structure intervient : un polygone, un rayon autour d'elle, ou une liste de P-codes."
    ),
    "A code from GET /v1/needs, e.g. medical.pep": "Un code de GET /v1/needs, par ex. medical.pep",
    "e.g. pep, ec, forensic": (
        "par ex. pep (PPE), ec (contraception d'urgence), forensic (examen médico-légal)"
    ),
    "One need the provider answers, with its conditions.": (
        "Un besoin auquel la structure répond, avec ses conditions."
    ),
    "Sexes a service is open to.": (
        "Sexes auxquels un service est ouvert : `female` (féminin), "
        "`male` (masculin), `intersex` (intersexe)."
    ),
    "Whether a provider is working.": (
        "Si une structure fonctionne : `active` (en activité), `temporarily_closed` "
        "(fermée temporairement), `closed` (fermée)."
    ),
    "How long ago the incident was, as a bucket: never a timestamp.": (
        "Depuis combien de temps l'incident a eu lieu, par tranche, jamais une "
        "date ni une heure : `lt72h` (moins de 72 heures), `72to120h` (de 72 "
        "à 120 heures), `gt120h` (plus de 120 heures), `unknown` (inconnu)."
    ),
    "Who may see where a provider is: restricted entries (safe houses) hide their location.": (
        "Qui peut voir où se trouve une structure : `public` (tout le monde) ; les fiches "
        "`restricted` (maisons d'accueil sécurisées) cachent leur emplacement."
    ),
    "One invalid field of the request.": "Un champ invalide de la requête.",
    "Where: body/query/path/header, then field names and indexes": (
        "Où : body/query/path/header, puis noms de champs et indices"
    ),
    "An RFC 9457 problem details object.": "Un objet de détails de problème RFC 9457.",
    "A URI reference that identifies the problem type": (
        "Une référence URI qui identifie le type de problème"
    ),
    "The path of the request (never its query string)": (
        "Le chemin de la requête (jamais ses paramètres de requête)"
    ),
    # The partner API key.
    (
        "An API key from `referral-api keys create`: `Authorization: Bearer rk_…`. "
        "Reads work without one; writes need one."
    ): (
        "Une clé d'API créée par `referral-api keys create` : `Authorization: Bearer rk_…`. "
        "Les lectures fonctionnent sans clé ; les écritures en demandent une."
    ),
    # Tags.
    "The directory of service providers.": "L'annuaire des structures prestataires de services.",
    "Partner organisations keep their own entries current (API key needed).": (
        "Les organisations partenaires tiennent leurs propres fiches à jour (clé d'API nécessaire)."
    ),
    "Partner organizations; admins manage them and their keys.": (
        "Les organisations partenaires ; les administrateurs les gèrent, ainsi que leurs clés."
    ),
    "The change feed, for systems that keep a copy.": (
        "Le flux des modifications, pour les systèmes qui gardent une copie."
    ),
    "Needs taxonomy and administrative areas (P-codes).": (
        "Taxonomie des besoins et zones administratives (P-codes)."
    ),
    (
        "The directory as Open Referral HSDS 3.0 (read-only, "
        "public; confidential locations withheld)."
    ): (
        "L'annuaire au format Open Referral HSDS 3.0 (lecture "
        "seule, public ; emplacements confidentiels masqués)."
    ),
    "Probes for operators.": "Sondes de supervision, pour l'exploitation.",
}
