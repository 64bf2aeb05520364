-- Key projects and the green channel (重点项目 · 绿色通道): a project's bundle of approvals,
-- each a case once opened, and the joint review meetings (联审) held on it.

CREATE TABLE key_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    phone TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    agent_id INTEGER NOT NULL REFERENCES staff(id),
    target_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    opened_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX key_projects_unit ON key_projects(unit_id, created_at);

CREATE TABLE project_approvals (
    project_id INTEGER NOT NULL REFERENCES key_projects(id),
    idx INTEGER NOT NULL,
    item_code TEXT NOT NULL,
    stage TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    PRIMARY KEY (project_id, idx)
);

CREATE TABLE joint_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES key_projects(id),
    held_at INTEGER NOT NULL,
    convener_id INTEGER NOT NULL REFERENCES staff(id),
    departments TEXT NOT NULL,
    opinions TEXT NOT NULL,
    decisions TEXT NOT NULL
);
CREATE INDEX joint_reviews_project ON joint_reviews(project_id, held_at);
