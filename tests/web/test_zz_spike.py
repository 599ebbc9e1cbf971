from app.domain.codes import Role
from tests.factories import make_fund, make_user, sign_in

def test_spike(app, client, db):
    f = make_fund(db, "SP-1")
    u = make_user(db, Role.FUND_MANAGER, "SP-1")
    db.commit()
    r = sign_in(client, u)
    print(r.status_code, r.headers.getlist("Set-Cookie"))
    r = client.get(f"/funds/{f.id}")
    print(r.status_code, r.headers)
    r = client.get("/funds/new")
    print(r.status_code)
    print(r.get_data(as_text=True)[:3000])
