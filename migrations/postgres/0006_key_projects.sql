-- Key projects and the green channel (重点项目 · 绿色通道): a project's bundle of approvals,
-- each a case once opened, and the joint review meetings (联审) held on it.

CREATE TABLE key_projects (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    phone TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    agent_id BIGINT NOT NULL REFERENCES staff(id),
    target_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    opened_at BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX key_projects_unit ON key_projects(unit_id, created_at);

CREATE TABLE project_approvals (
    project_id BIGINT NOT NULL REFERENCES key_projects(id),
    idx BIGINT NOT NULL,
    item_code TEXT NOT NULL,
    stage TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    case_id BIGINT REFERENCES cases(id),
    PRIMARY KEY (project_id, idx)
);

CREATE TABLE joint_reviews (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES key_projects(id),
    held_at BIGINT NOT NULL,
    convener_id BIGINT NOT NULL REFERENCES staff(id),
    departments TEXT NOT NULL,
    opinions TEXT NOT NULL,
    decisions TEXT NOT NULL
);
CREATE INDEX joint_reviews_project ON joint_reviews(project_id, held_at);
