"""case library: cases, reusable tags (課題 / 機能 / 便益), chains; leads.company_size

`case_tags` holds each problem, feature and benefit once per kind and folded name;
`case_chains` links a case's problems to features and benefits in order. Leads get the same
company size bands as cases (nullable: no lead had one before).
"""

import sqlalchemy as sa
from alembic import op

import isops.db

revision: str = '0006_cases'
down_revision: str | None = '0005_handoffs'


def upgrade() -> None:
    op.create_table('case_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('problem', 'feature', 'benefit', name='tagkind', native_enum=False, length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('created_at', isops.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_tags')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_case_tags_kind_key'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer', sa.String(length=200), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=False),
    sa.Column('industry_key', sa.String(length=400), nullable=False),
    sa.Column('company_size', sa.Enum('1-49', '50-299', '300-999', '1000+', name='companysize', native_enum=False, length=16), nullable=True),
    sa.Column('role_level', sa.Enum('担当', 'マネージャー', '役員', name='rolelevel', native_enum=False, length=16), nullable=True),
    sa.Column('situation', sa.Text(), server_default='', nullable=False),
    sa.Column('link', sa.String(length=2000), nullable=True),
    sa.Column('archived', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.Column('revision', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', isops.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', isops.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_shared_at', isops.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_cases_created_by_id_members')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['members.id'], name=op.f('fk_cases_updated_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('external_id', name=op.f('uq_cases_external_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_archived_industry_key', ['archived', 'industry_key'], unique=False)

    op.create_table('case_chains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('problem_tag_id', sa.Integer(), nullable=False),
    sa.Column('feature_tag_id', sa.Integer(), nullable=True),
    sa.Column('benefit_tag_id', sa.Integer(), nullable=True),
    sa.Column('connection', sa.String(length=300), nullable=True),
    sa.Column('figures', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['benefit_tag_id'], ['case_tags.id'], name=op.f('fk_case_chains_benefit_tag_id_case_tags')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_chains_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feature_tag_id'], ['case_tags.id'], name=op.f('fk_case_chains_feature_tag_id_case_tags')),
    sa.ForeignKeyConstraint(['problem_tag_id'], ['case_tags.id'], name=op.f('fk_case_chains_problem_tag_id_case_tags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_chains')),
    sa.UniqueConstraint('case_id', 'position', name=op.f('uq_case_chains_case_id_position'))
    )
    with op.batch_alter_table('case_chains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_chains_benefit_tag_id'), ['benefit_tag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_chains_feature_tag_id'), ['feature_tag_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_chains_problem_tag_id'), ['problem_tag_id'], unique=False)

    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_size', sa.Enum('1-49', '50-299', '300-999', '1000+', name='companysize', native_enum=False, length=16), nullable=True))



def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds `leads`, and dropping the old table would
    # cascade to its actions and history (foreign keys are on). The column has no index or
    # constraint, so SQLite's own ALTER TABLE … DROP COLUMN (3.35+) removes it in place.
    op.drop_column('leads', 'company_size')

    with op.batch_alter_table('case_chains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_chains_problem_tag_id'))
        batch_op.drop_index(batch_op.f('ix_case_chains_feature_tag_id'))
        batch_op.drop_index(batch_op.f('ix_case_chains_benefit_tag_id'))

    op.drop_table('case_chains')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_archived_industry_key')

    op.drop_table('cases')
    op.drop_table('case_tags')
