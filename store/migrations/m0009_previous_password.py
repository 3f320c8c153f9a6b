"""A password reset keeps the previous password's hash until a new password is chosen,
so the first login after the reset can refuse the old password as the new one."""


def up(db):
    db.execute_sql('ALTER TABLE "user" ADD COLUMN "previous_password_hash" VARCHAR(255)')
